//! The standard library: native modules (written in Rust) and the registry of modules
//! written in Aio, which are embedded in the binary so that `aio` stands alone.
//! Invariant: a native module is created once per interpreter and cached in `sys.modules`.

pub mod mt19937;
pub mod sys;

use crate::vm::value::ObjRef;
use crate::vm::{PyResult, Vm};

/// Installs the modules that must exist before any script runs (`sys`, `builtins`).
pub fn install_all(vm: &mut Vm) {
    let sys = sys::create(vm);
    let mods = vm.modules.clone();
    vm.dict_set_str(&mods, "sys", crate::vm::value::Value::Obj(sys));
    let b = vm.builtins.clone();
    vm.dict_set_str(&mods, "builtins", crate::vm::value::Value::Obj(b));
}

/// Creates the native module `name`, if there is one.
pub fn native_module(vm: &mut Vm, name: &str) -> PyResult<Option<ObjRef>> {
    Ok(match name {
        "_asyncio" => Some(crate::event_loop::methods::create_module(vm)),
        "_aio_io" => Some(crate::event_loop::io::create_module(vm)),
        "_aio_http" => Some(crate::event_loop::io_http::create_module(vm)),
        "socket" => Some(crate::event_loop::io_socket::create_module(vm)),
        "signal" => Some(crate::event_loop::io_signal::create_module(vm)),
        _ => None,
    })
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
        // Shadowed by a native `time` module when there is one.
        "time" => (include_str!("../../stdlib/time.aio"), false),
        "asyncio.threads" => (include_str!("../../stdlib/asyncio/threads.aio"), false),
        "asyncio.timeouts" => (include_str!("../../stdlib/asyncio/timeouts.aio"), false),
        _ => return None,
    })
}
