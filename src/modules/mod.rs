//! The standard library: native modules (written in Rust) and the registry of modules
//! written in Aio, which are embedded in the binary so that `aio` stands alone.
//! Invariant: a native module is created once per interpreter and cached in `sys.modules`.

pub mod aio;
pub mod file;
pub mod json;
pub mod math;
pub mod mt19937;
pub mod os;
pub mod random;
pub mod structseq;
pub mod sys;
pub mod time;
pub mod tz;

use crate::vm::object::{NativeFn, ObjKind};
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyResult, Vm};

/// Installs the modules that must exist before any script runs (`sys`, `builtins`).
pub fn install_all(vm: &mut Vm) {
    let sys = sys::create(vm);
    let mods = vm.modules.clone();
    vm.dict_set_str(&mods, "sys", Value::Obj(sys));
    let b = vm.builtins.clone();
    vm.dict_set_str(&mods, "builtins", Value::Obj(b));
    file::install(vm);
}

/// Creates the native module `name`, if there is one.
pub fn native_module(vm: &mut Vm, name: &str) -> PyResult<Option<ObjRef>> {
    Ok(Some(match name {
        "_asyncio" => crate::event_loop::methods::create_module(vm),
        "_aio_io" => crate::event_loop::io::create_module(vm),
        "_aio_http" => crate::event_loop::io_http::create_module(vm),
        "socket" => crate::event_loop::io_socket::create_module(vm),
        "signal" => crate::event_loop::io_signal::create_module(vm),
        "time" => time::create(vm),
        "math" => math::create(vm),
        "_json" => json::create(vm),
        "_aio" => aio::create(vm),
        "os" => os::create(vm)?,
        "io" => file::create_io(vm),
        "random" => random::create(vm),
        _ => return Ok(None),
    }))
}

/// A new module object and its globals dict.
pub(crate) fn new_module(vm: &mut Vm, name: &str) -> (ObjRef, ObjRef) {
    let m = vm.new_module(name);
    let ObjKind::Module(mo) = &m.kind else {
        unreachable!("new_module makes a module")
    };
    let d = mo.dict.clone();
    (m, d)
}

/// Adds native functions to a module's globals.
pub(crate) fn add_functions(vm: &mut Vm, d: &ObjRef, funcs: &[(&str, NativeFn)]) {
    for (n, f) in funcs {
        let v = vm.new_native(n, *f);
        vm.dict_set_str(d, n, v);
    }
}

/// The source of a standard-library module written in Aio, and whether it is a package.
pub fn stdlib_source(name: &str) -> Option<(&'static str, bool)> {
    crate::modules::stdlib_files(name)
}

/// Embedded `.aio` sources of the standard library.
fn stdlib_files(name: &str) -> Option<(&'static str, bool)> {
    Some(match name {
        "_aio_helpers" => (include_str!("../../stdlib/_aio_helpers.aio"), false),
        "aiohttp" => (include_str!("../../stdlib/aiohttp/__init__.aio"), true),
        "aiohttp.client" => (include_str!("../../stdlib/aiohttp/client.aio"), false),
        "aiohttp.helpers" => (include_str!("../../stdlib/aiohttp/helpers.aio"), false),
        "aiohttp.web" => (include_str!("../../stdlib/aiohttp/web.aio"), false),
        "asyncio" => (include_str!("../../stdlib/asyncio/__init__.aio"), true),
        "asyncio.base_events" => (include_str!("../../stdlib/asyncio/base_events.aio"), false),
        "asyncio.coroutines" => (include_str!("../../stdlib/asyncio/coroutines.aio"), false),
        "asyncio.events" => (include_str!("../../stdlib/asyncio/events.aio"), false),
        "asyncio.exceptions" => (include_str!("../../stdlib/asyncio/exceptions.aio"), false),
        "asyncio.futures" => (include_str!("../../stdlib/asyncio/futures.aio"), false),
        "asyncio.locks" => (include_str!("../../stdlib/asyncio/locks.aio"), false),
        "asyncio.mixins" => (include_str!("../../stdlib/asyncio/mixins.aio"), false),
        "asyncio.queues" => (include_str!("../../stdlib/asyncio/queues.aio"), false),
        "asyncio.protocols" => (include_str!("../../stdlib/asyncio/protocols.aio"), false),
        "asyncio.runners" => (include_str!("../../stdlib/asyncio/runners.aio"), false),
        "asyncio.selector_events" => (
            include_str!("../../stdlib/asyncio/selector_events.aio"),
            false,
        ),
        "asyncio.streams" => (include_str!("../../stdlib/asyncio/streams.aio"), false),
        "asyncio.subprocess" => (include_str!("../../stdlib/asyncio/subprocess.aio"), false),
        "asyncio.taskgroups" => (include_str!("../../stdlib/asyncio/taskgroups.aio"), false),
        "asyncio.tasks" => (include_str!("../../stdlib/asyncio/tasks.aio"), false),
        "asyncio.threads" => (include_str!("../../stdlib/asyncio/threads.aio"), false),
        "asyncio.timeouts" => (include_str!("../../stdlib/asyncio/timeouts.aio"), false),
        "json" => (include_str!("../../stdlib/json.aio"), false),
        "operator" => (include_str!("../../stdlib/operator.aio"), false),
        "functools" => (include_str!("../../stdlib/functools.aio"), false),
        "itertools" => (include_str!("../../stdlib/itertools.aio"), false),
        "abc" => (include_str!("../../stdlib/abc.aio"), false),
        "concurrent" => (include_str!("../../stdlib/concurrent/__init__.aio"), true),
        "concurrent.futures" => (
            include_str!("../../stdlib/concurrent/futures/__init__.aio"),
            true,
        ),
        "concurrent.futures._base" => (
            include_str!("../../stdlib/concurrent/futures/_base.aio"),
            false,
        ),
        "collections" => (include_str!("../../stdlib/collections/__init__.aio"), true),
        "collections.abc" => (include_str!("../../stdlib/collections/abc.aio"), false),
        "contextlib" => (include_str!("../../stdlib/contextlib.aio"), false),
        "types" => (include_str!("../../stdlib/types.aio"), false),
        "datetime" => (include_str!("../../stdlib/datetime.aio"), false),
        "requests" => (include_str!("../../stdlib/requests.aio"), false),
        "copy" => (include_str!("../../stdlib/copy.aio"), false),
        "heapq" => (include_str!("../../stdlib/heapq.aio"), false),
        "bisect" => (include_str!("../../stdlib/bisect.aio"), false),
        "string" => (include_str!("../../stdlib/string.aio"), false),
        "textwrap" => (include_str!("../../stdlib/textwrap.aio"), false),
        "statistics" => (include_str!("../../stdlib/statistics.aio"), false),
        "posixpath" => (include_str!("../../stdlib/posixpath.aio"), false),
        "enum" => (include_str!("../../stdlib/enum.aio"), false),
        "dataclasses" => (include_str!("../../stdlib/dataclasses.aio"), false),
        "typing" => (include_str!("../../stdlib/typing.aio"), false),
        "pprint" => (include_str!("../../stdlib/pprint.aio"), false),
        _ => return None,
    })
}
