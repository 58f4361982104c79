//! Rebuild when the embedded rule packs or default configuration change (new files included).
fn main() {
    println!("cargo:rerun-if-changed=config");
    println!("cargo:rerun-if-changed=queries");
    println!("cargo:rerun-if-changed=build.rs");
}
