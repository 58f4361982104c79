//! Security analysis support: secrets engine, import maps, intraprocedural taint.

pub mod imports;
pub mod secrets;
pub mod taint;
