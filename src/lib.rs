//! Aio: an interpreter for a small async scripting language whose syntax and semantics are a
//! subset of Python 3.11, built around `async`/`await` and `asyncio`.
//!
//! The pipeline: `syntax` (tokens, layout, parser) → `compile` (scopes, bytecode) → `vm`
//! (stackless dispatch loop) with `types` (the builtin types), `builtins` and `modules` (the
//! standard library).

#![deny(unsafe_code)]

pub mod builtins;
pub mod cli;
pub mod compile;
pub mod diag;
pub mod fmt;
pub mod hash;
pub mod modules;
pub mod repl;
pub mod source;
pub mod syntax;
pub mod types;
pub mod vm;
