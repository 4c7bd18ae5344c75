//! Aio: an interpreter for a small async scripting language whose syntax and semantics are a
//! subset of Python 3.11, built around `async`/`await` and `asyncio`.

#![deny(unsafe_code)]

pub mod diag;
pub mod source;
pub mod syntax;
