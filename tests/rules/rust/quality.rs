// Samples for config/rules/quality/rust.yaml (codomyrmex rules test).
use std::mem;

fn debugging(x: i32, v: &[i32]) -> i32 {
    // ruleid: rust.dbg-macro
    let y = dbg!(x);
    // ruleid: rust.dbg-macro
    let z = dbg!(x + 1);
    // ruleid: rust.dbg-macro
    dbg!(&v, y);
    // ruleid: rust.dbg-macro
    dbg!();
    // ok: rust.dbg-macro
    println!("{x}");
    // ok: rust.dbg-macro
    debug_assert!(x > 0);
    y + z
}

trait Shape {
    fn area(&self) -> f64;
    fn volume(&self) -> f64;
}

struct Square(f64);

impl Shape for Square {
    fn area(&self) -> f64 {
        // ruleid: rust.todo
        todo!()
    }

    fn volume(&self) -> f64 {
        // ruleid: rust.unimplemented
        unimplemented!("a square has no volume")
    }
}

fn finish(n: u8) -> u8 {
    match n {
        0 => 1,
        // ok: rust.todo, rust.unimplemented
        _ => unreachable!("n is always 0"),
    }
}

fn leaks(file: std::fs::File, buf: Vec<u8>, guard: String) {
    // ruleid: rust.mem-forget
    std::mem::forget(file);
    // ruleid: rust.mem-forget
    mem::forget(buf);
    // ruleid: rust.mem-forget
    core::mem::forget(guard);
    // ok: rust.mem-forget
    let _keep = std::mem::ManuallyDrop::new(0);
    // ok: rust.mem-forget
    cache.forget(1);
}

fn unwraps(s: &str, opt: Option<u8>) -> Result<u8, std::num::ParseIntError> {
    // ruleid: rust.unwrap-used
    let a = opt.unwrap();
    // ruleid: rust.unwrap-used
    let b: u8 = s.parse::<u8>().unwrap();
    // ok: rust.unwrap-used
    let c = opt.unwrap_or(0);
    // ok: rust.unwrap-used
    let d = opt.expect("checked above");
    // ok: rust.unwrap-used
    let e: u8 = s.parse()?;
    Ok(a + b + c + d + e)
}

fn booleans(ready: bool, v: &[u8], name: String) {
    // ruleid: rust.bool-comparison
    if ready == true {}
    // ruleid: rust.bool-comparison
    if false != ready {}
    // ok: rust.bool-comparison
    if ready {}
    // ruleid: rust.len-zero
    if v.len() == 0 {}
    // ruleid: rust.len-zero
    if name.trim().len() == 0 {}
    // ok: rust.len-zero
    if v.len() == 1 || v.is_empty() {}
}

struct Stack(Vec<u8>);

impl Stack {
    fn len(&self) -> usize {
        self.0.len()
    }

    fn is_empty(&self) -> bool {
        // ok: rust.len-zero
        self.len() == 0
    }
}
