//! The host-side error type: a script exception (type, message, traceback), a syntax error
//! (with its ariadne rendering), a host limit that stopped the run, or a conversion failure.
//! Invariant: an `Error` owns only plain Rust data, so it is `Send` and outlives the engine.

use crate::vm::limits::LimitKind;
use crate::vm::value::Value;
use crate::vm::{Exc, Vm};

/// Everything that can go wrong when the host runs or calls a script.
///
/// ```
/// use aio::embed::{Engine, Error};
/// let mut engine = Engine::new();
/// match engine.run("1 / 0") {
///     Err(Error::Exception { kind, message, traceback }) => {
///         assert_eq!(kind, "ZeroDivisionError");
///         assert_eq!(message, "division by zero");
///         assert!(traceback.ends_with("ZeroDivisionError: division by zero\n"));
///     }
///     other => panic!("{other:?}"),
/// }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// The source did not parse or compile.
    Syntax {
        /// The exception class (`SyntaxError`, `IndentationError`, `TabError`).
        kind: String,
        /// CPython's message, e.g. `invalid syntax`.
        message: String,
        /// The 1-based line and column of the error.
        line: usize,
        column: usize,
        /// The ariadne report (file, line, labelled span, hint), without colour.
        rendered: String,
    },
    /// The script raised an exception that nothing caught.
    Exception {
        /// The class name, e.g. `ValueError`.
        kind: String,
        /// `str(exception)`.
        message: String,
        /// The full traceback as python3 prints it.
        traceback: String,
    },
    /// A host limit or a denied capability stopped the script; it could not catch this.
    Limit(LimitKind),
    /// A value could not be converted between Rust and the script.
    Conversion(String),
}

impl Error {
    /// An exception to raise from a native function, e.g. `Error::raise("ValueError", "bad")`.
    pub fn raise(kind: &str, message: impl Into<String>) -> Error {
        Error::Exception {
            kind: kind.to_string(),
            message: message.into(),
            traceback: String::new(),
        }
    }

    /// A conversion failure.
    pub fn conversion(message: String) -> Error {
        Error::Conversion(message)
    }

    /// True when a host limit (budget, memory, depth, deadline, interrupt, capability)
    /// stopped the run.
    pub fn is_limit(&self) -> bool {
        matches!(self, Error::Limit(_))
    }

    /// The exception class name (`Limit` errors report `HostInterrupt`).
    pub fn kind(&self) -> &str {
        match self {
            Error::Syntax { kind, .. } | Error::Exception { kind, .. } => kind,
            Error::Limit(_) => "HostInterrupt",
            Error::Conversion(_) => "TypeError",
        }
    }

    /// Builds the host error for an exception that reached the host.
    pub(crate) fn from_exc(vm: &mut Vm, e: &Exc) -> Error {
        if let Some(k) = vm.limits.tripped.clone() {
            return Error::Limit(k);
        }
        let v = Value::Obj(e.0.clone());
        let kind = vm.exc_display_name(&v);
        let kind = kind.rsplit('.').next().unwrap_or(&kind).to_string();
        let message = vm.str_of(&v).unwrap_or_default();
        let traceback = vm.format_exception(e);
        Error::Exception {
            kind,
            message,
            traceback,
        }
    }

    /// Raises this error inside the script (from a native function).
    pub(crate) fn into_exc(self, vm: &mut Vm) -> Exc {
        match self {
            Error::Limit(k) => vm.trip(k),
            Error::Exception { kind, message, .. } | Error::Syntax { kind, message, .. } => {
                let known = vm.types.exceptions.contains_key(kind.as_str());
                let kind = if known { kind.as_str() } else { "RuntimeError" };
                vm.new_exc_msg(kind, message)
            }
            Error::Conversion(m) => vm.type_error(m),
        }
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Syntax { rendered, .. } => write!(f, "{}", rendered.trim_end()),
            Error::Exception {
                kind,
                message,
                traceback,
            } => {
                if traceback.is_empty() {
                    write!(f, "{kind}: {message}")
                } else {
                    write!(f, "{}", traceback.trim_end())
                }
            }
            Error::Limit(k) => write!(f, "script stopped: {k}"),
            Error::Conversion(m) => write!(f, "conversion error: {m}"),
        }
    }
}

impl std::error::Error for Error {}
