//! The `socket` module: socket objects over `socket2`, address conversion, `getaddrinfo`, and
//! OSError construction with CPython's errno-to-class mapping and messages.
//!
//! A socket object owns its descriptor; transports built on it borrow the `socket2::Socket`
//! for each system call and close the socket object when the connection is lost.
//! Invariant: after `close()` the payload holds no descriptor and every operation raises
//! `OSError: [Errno 9] Bad file descriptor`, as CPython does.

use crate::vm::object::{Args, ExtObject, Layout, ObjKind};
use crate::vm::types_registry::make_type;
use crate::vm::value::{ObjRef, Value};
use crate::vm::{Exc, PyResult, Vm};
use socket2::{Domain, Protocol, SockAddr, Socket, Type};
use std::cell::{Cell, RefCell};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::os::fd::{AsRawFd, RawFd};

pub const AF_UNSPEC: i64 = 0;
pub const AF_UNIX: i64 = 1;
pub const AF_INET: i64 = 2;
pub const AF_INET6: i64 = 10;
pub const SOCK_STREAM: i64 = 1;
pub const SOCK_DGRAM: i64 = 2;
pub const SOCK_RAW: i64 = 3;
pub const IPPROTO_TCP: i64 = 6;
pub const IPPROTO_UDP: i64 = 17;
pub const AI_PASSIVE: i64 = 1;
pub const AI_CANONNAME: i64 = 2;
pub const AI_NUMERICHOST: i64 = 4;
pub const SOL_SOCKET: i64 = 1;
pub const SO_REUSEADDR: i64 = 2;
pub const SO_ERROR: i64 = 4;
pub const SO_KEEPALIVE: i64 = 9;
pub const SO_REUSEPORT: i64 = 15;
pub const TCP_NODELAY: i64 = 1;
pub const IPPROTO_IPV6: i64 = 41;
pub const IPV6_V6ONLY: i64 = 26;
pub const SHUT_RD: i64 = 0;
pub const SHUT_WR: i64 = 1;
pub const SHUT_RDWR: i64 = 2;

// ----- OSError -------------------------------------------------------------------------------

/// The OSError subclass CPython picks for an errno.
pub fn errno_class(errno: i32) -> &'static str {
    use nix::errno::Errno as E;
    match E::from_raw(errno) {
        E::EAGAIN | E::EALREADY | E::EINPROGRESS => "BlockingIOError",
        E::ECHILD => "ChildProcessError",
        E::EPIPE | E::ESHUTDOWN => "BrokenPipeError",
        E::ECONNABORTED => "ConnectionAbortedError",
        E::ECONNREFUSED => "ConnectionRefusedError",
        E::ECONNRESET => "ConnectionResetError",
        E::EEXIST => "FileExistsError",
        E::ENOENT => "FileNotFoundError",
        E::EISDIR => "IsADirectoryError",
        E::ENOTDIR => "NotADirectoryError",
        E::EINTR => "InterruptedError",
        E::EACCES | E::EPERM => "PermissionError",
        E::ESRCH => "ProcessLookupError",
        E::ETIMEDOUT => "TimeoutError",
        _ => "OSError",
    }
}

/// The C library's message for an errno (`os.strerror`).
pub fn strerror(errno: i32) -> String {
    crate::cli::os_error_text(&std::io::Error::from_raw_os_error(errno))
}

/// `OSError(errno, message)` of the class CPython maps `errno` to, with `errno` and
/// `strerror` set.
pub fn os_error_errno(vm: &mut Vm, errno: i32, msg: &str) -> Exc {
    os_error_class(vm, errno_class(errno), errno, msg)
}

/// An OSError-family exception of class `cls` with `(errno, msg)` arguments.
pub fn os_error_class(vm: &mut Vm, cls: &str, errno: i32, msg: &str) -> Exc {
    let m = vm.new_str(msg);
    let e = vm.new_exc(cls, vec![Value::Int(errno as i64), m.clone()]);
    let k = vm.intern("errno");
    let _ = vm.exc_set_attr(&e, k, Value::Int(errno as i64));
    let k = vm.intern("strerror");
    let _ = vm.exc_set_attr(&e, k, m);
    let k = vm.intern("filename");
    let _ = vm.exc_set_attr(&e, k, Value::None);
    e
}

/// The Aio exception for an I/O error.
pub fn os_error(vm: &mut Vm, e: &std::io::Error) -> Exc {
    match e.raw_os_error() {
        Some(n) => os_error_errno(vm, n, &strerror(n)),
        None => {
            let msg = crate::cli::os_error_text(e);
            vm.new_exc_msg("OSError", msg)
        }
    }
}

fn ebadf(vm: &mut Vm) -> Exc {
    os_error_errno(vm, 9, "Bad file descriptor")
}

// ----- addresses -----------------------------------------------------------------------------

/// The Python form of a socket address: `(host, port)`, `(host, port, flowinfo, scope_id)` or a
/// path.
pub fn addr_to_value(vm: &mut Vm, a: &SockAddr) -> Value {
    if let Some(sa) = a.as_socket() {
        return socket_addr_value(vm, &sa);
    }
    if let Some(u) = a.as_unix() {
        if let Some(p) = u.as_pathname() {
            return vm.new_str(p.to_string_lossy().to_string());
        }
        return vm.empty_str.clone();
    }
    Value::None
}

/// The Python form of an IP socket address.
pub fn socket_addr_value(vm: &mut Vm, sa: &SocketAddr) -> Value {
    match sa {
        SocketAddr::V4(v4) => {
            let h = vm.new_str(v4.ip().to_string());
            vm.new_tuple(vec![h, Value::Int(v4.port() as i64)])
        }
        SocketAddr::V6(v6) => {
            let h = vm.new_str(v6.ip().to_string());
            vm.new_tuple(vec![
                h,
                Value::Int(v6.port() as i64),
                Value::Int(v6.flowinfo() as i64),
                Value::Int(v6.scope_id() as i64),
            ])
        }
    }
}

fn port_arg(vm: &mut Vm, v: &Value, what: &str) -> PyResult<u16> {
    let p = match v {
        Value::Int(i) => *i,
        Value::Bool(b) => b.get() as i64,
        _ => {
            let t = vm.type_name(v);
            return Err(vm.type_error(format!("'{t}' object cannot be interpreted as an integer")));
        }
    };
    if !(0..=65535).contains(&p) {
        return Err(vm.overflow_error(format!("{what}(): port must be 0-65535.")));
    }
    Ok(p as u16)
}

/// Resolves a host string the way the socket module does for addresses (blocking).
fn resolve_host(vm: &mut Vm, host: &str, family: i64) -> PyResult<IpAddr> {
    if host.is_empty() {
        return Ok(if family == AF_INET6 {
            IpAddr::V6(Ipv6Addr::UNSPECIFIED)
        } else {
            IpAddr::V4(Ipv4Addr::UNSPECIFIED)
        });
    }
    if host == "<broadcast>" {
        return Ok(IpAddr::V4(Ipv4Addr::BROADCAST));
    }
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok(ip);
    }
    match lookup(host, 0) {
        Ok(addrs) => {
            let want6 = family == AF_INET6;
            addrs
                .into_iter()
                .map(|a| a.ip())
                .find(|ip| ip.is_ipv6() == want6)
                .ok_or_else(|| gaierror(vm, -2, "Name or service not known"))
        }
        Err((code, msg)) => Err(gaierror(vm, code, &msg)),
    }
}

/// The `SockAddr` for a Python address of `family`.
pub fn value_to_addr(vm: &mut Vm, family: i64, v: &Value, what: &str) -> PyResult<SockAddr> {
    if family == AF_UNIX {
        let Some(p) = v.as_str() else {
            let t = vm.type_name(v);
            return Err(vm.type_error(format!("a bytes-like object is required, not '{t}'")));
        };
        return SockAddr::unix(p).map_err(|e| os_error(vm, &e));
    }
    let items = match v.kind() {
        Some(ObjKind::Tuple(t)) => t.to_vec(),
        _ => {
            let fam = if family == AF_INET6 {
                "AF_INET6"
            } else {
                "AF_INET"
            };
            let t = vm.type_name(v);
            return Err(vm.type_error(format!("{what}(): {fam} address must be tuple, not {t}")));
        }
    };
    let want = if family == AF_INET6 { 2..=4 } else { 2..=2 };
    if !want.contains(&items.len()) {
        let msg = if family == AF_INET6 {
            format!(
                "{what}(): AF_INET6 address must be a tuple (host, port[, flowinfo[, scopeid]])"
            )
        } else {
            format!("{what}(): AF_INET address must be a tuple (host, port)")
        };
        return Err(vm.type_error(msg));
    }
    let host = match items[0].as_str() {
        Some(s) => s.to_string(),
        None => {
            let t = vm.type_name(&items[0]);
            return Err(vm.type_error(format!("str, bytes or bytearray expected, not {t}")));
        }
    };
    let port = port_arg(vm, &items[1], what)?;
    let ip = resolve_host(vm, &host, family)?;
    let sa = match (family, ip) {
        (AF_INET6, IpAddr::V6(ip)) => {
            let flow = items.get(2).and_then(|v| v.as_i64()).unwrap_or(0) as u32;
            let scope = items.get(3).and_then(|v| v.as_i64()).unwrap_or(0) as u32;
            SocketAddr::V6(SocketAddrV6::new(ip, port, flow, scope))
        }
        (AF_INET6, IpAddr::V4(ip)) => {
            SocketAddr::V6(SocketAddrV6::new(ip.to_ipv6_mapped(), port, 0, 0))
        }
        (_, IpAddr::V4(ip)) => SocketAddr::V4(SocketAddrV4::new(ip, port)),
        (_, IpAddr::V6(_)) => {
            return Err(gaierror(
                vm,
                -9,
                "Address family for hostname not supported",
            ))
        }
    };
    Ok(SockAddr::from(sa))
}

// ----- name resolution -------------------------------------------------------------------------

/// `getaddrinfo` through the C library (via `std::net`), returning `(code, message)` on failure
/// with the EAI code CPython reports.
pub fn lookup(host: &str, port: u16) -> Result<Vec<SocketAddr>, (i64, String)> {
    use std::net::ToSocketAddrs;
    match (host, port).to_socket_addrs() {
        Ok(it) => Ok(it.collect()),
        Err(e) => {
            let text = e.to_string();
            let msg = text
                .strip_prefix("failed to lookup address information: ")
                .unwrap_or(&text)
                .to_string();
            let code = match msg.as_str() {
                "Name or service not known" => -2,
                "Temporary failure in name resolution" => -3,
                "Non-recoverable failure in name resolution" => -4,
                "No address associated with hostname" => -5,
                "Address family for hostname not supported" => -9,
                "Servname not supported for ai_socktype" => -8,
                _ => -2,
            };
            Err((code, msg))
        }
    }
}

/// `socket.gaierror(code, message)`.
pub fn gaierror(vm: &mut Vm, code: i64, msg: &str) -> Exc {
    io_types(vm);
    os_error_class(vm, "gaierror", code as i32, msg)
}

/// One `getaddrinfo` request in plain data, so it can run on a worker thread.
#[derive(Clone, Debug)]
pub struct AddrInfoRequest {
    pub host: Option<String>,
    pub port: Option<String>,
    pub family: i64,
    pub stype: i64,
    pub proto: i64,
    pub flags: i64,
}

/// One result row: (family, type, proto, canonname, address).
pub type AddrInfo = (i64, i64, i64, String, SocketAddr);

fn service_port(s: &str, stype: i64) -> Result<u16, (i64, String)> {
    if let Ok(p) = s.parse::<u16>() {
        return Ok(p);
    }
    let known = match s {
        "http" => Some(80),
        "https" => Some(443),
        "ftp" => Some(21),
        "ssh" => Some(22),
        "smtp" => Some(25),
        "domain" => Some(53),
        _ => None,
    };
    match known {
        Some(p) if stype != SOCK_RAW => Ok(p),
        _ => Err((-8, "Servname not supported for ai_socktype".into())),
    }
}

/// Runs a `getaddrinfo` request (blocking).
pub fn getaddrinfo_blocking(r: &AddrInfoRequest) -> Result<Vec<AddrInfo>, (i64, String)> {
    if r.host.is_none() && r.port.is_none() {
        return Err((-2, "Name or service not known".into()));
    }
    let port = match &r.port {
        None => 0,
        Some(p) => service_port(p, r.stype)?,
    };
    let addrs: Vec<SocketAddr> = match r.host.as_deref() {
        None => {
            if r.flags & AI_PASSIVE != 0 {
                vec![
                    SocketAddr::from((Ipv4Addr::UNSPECIFIED, port)),
                    SocketAddr::from((Ipv6Addr::UNSPECIFIED, port)),
                ]
            } else {
                vec![
                    SocketAddr::from((Ipv6Addr::LOCALHOST, port)),
                    SocketAddr::from((Ipv4Addr::LOCALHOST, port)),
                ]
            }
        }
        Some("") => return Err((-2, "Name or service not known".into())),
        Some(h) => match h.parse::<IpAddr>() {
            Ok(ip) => vec![SocketAddr::new(ip, port)],
            Err(_) if r.flags & AI_NUMERICHOST != 0 => {
                return Err((-2, "Name or service not known".into()))
            }
            Err(_) => lookup(h, port)?,
        },
    };
    let kinds: &[(i64, i64)] = match r.stype {
        0 => match r.proto {
            0 => &[
                (SOCK_STREAM, IPPROTO_TCP),
                (SOCK_DGRAM, IPPROTO_UDP),
                (SOCK_RAW, 0),
            ],
            IPPROTO_TCP => &[(SOCK_STREAM, IPPROTO_TCP)],
            IPPROTO_UDP => &[(SOCK_DGRAM, IPPROTO_UDP)],
            _ => &[(SOCK_RAW, 0)],
        },
        SOCK_STREAM => &[(SOCK_STREAM, IPPROTO_TCP)],
        SOCK_DGRAM => &[(SOCK_DGRAM, IPPROTO_UDP)],
        _ => &[(SOCK_RAW, 0)],
    };
    let mut out = Vec::new();
    let mut seen = Vec::new();
    for a in addrs {
        if seen.contains(&a) {
            continue;
        }
        seen.push(a);
        let fam = if a.is_ipv6() { AF_INET6 } else { AF_INET };
        if r.family != AF_UNSPEC && r.family != fam {
            continue;
        }
        for &(t, p) in kinds {
            let proto = if r.proto != 0 { r.proto } else { p };
            let canon = if r.flags & AI_CANONNAME != 0 && out.is_empty() {
                r.host.clone().unwrap_or_default()
            } else {
                String::new()
            };
            out.push((fam, t, proto, canon, a));
        }
    }
    if out.is_empty() {
        return Err((-9, "Address family for hostname not supported".into()));
    }
    Ok(out)
}

/// The Python list for `getaddrinfo` results.
pub fn addrinfo_value(vm: &mut Vm, rows: &[AddrInfo]) -> Value {
    let mut items = Vec::with_capacity(rows.len());
    for (fam, t, p, canon, a) in rows {
        let c = vm.new_str(canon.as_str());
        let sa = socket_addr_value(vm, a);
        items.push(vm.new_tuple(vec![
            Value::Int(*fam),
            Value::Int(*t),
            Value::Int(*p),
            c,
            sa,
        ]));
    }
    vm.new_list(items)
}

fn str_or_none(vm: &mut Vm, v: Option<&Value>, what: &str) -> PyResult<Option<String>> {
    match v {
        None | Some(Value::None) => Ok(None),
        Some(Value::Int(i)) => Ok(Some(i.to_string())),
        Some(v) => match v.as_str() {
            Some(s) => Ok(Some(s.to_string())),
            None => match crate::types::bytes::bytes_of(v) {
                Some(b) => Ok(Some(String::from_utf8_lossy(&b).into_owned())),
                None => {
                    let _ = what;
                    Err(vm
                        .type_error("getaddrinfo() argument 1 must be string or None".to_string()))
                }
            },
        },
    }
}

/// Parses `getaddrinfo` arguments (`host, port, family=0, type=0, proto=0, flags=0`).
pub fn addrinfo_request(vm: &mut Vm, args: &Args) -> PyResult<AddrInfoRequest> {
    let [host, port, family, stype, proto, flags] = args.bind(
        vm,
        "getaddrinfo",
        ["host", "port", "family", "type", "proto", "flags"],
        2,
    )?;
    let host = str_or_none(vm, host.as_ref(), "host")?;
    let port = match port {
        None | Some(Value::None) => None,
        Some(Value::Int(i)) => Some(i.to_string()),
        Some(v) => match v.as_str() {
            Some(s) => Some(s.to_string()),
            None => match crate::types::bytes::bytes_of(&v) {
                Some(b) => Some(String::from_utf8_lossy(&b).into_owned()),
                None => return Err(vm.new_exc_msg("OSError", "Int or String expected".into())),
            },
        },
    };
    let int = |vm: &mut Vm, v: Option<Value>| -> PyResult<i64> {
        match v {
            None => Ok(0),
            Some(v) => vm.index_value(&v),
        }
    };
    Ok(AddrInfoRequest {
        host,
        port,
        family: int(vm, family)?,
        stype: int(vm, stype)?,
        proto: int(vm, proto)?,
        flags: int(vm, flags)?,
    })
}

fn f_getaddrinfo(vm: &mut Vm, args: Args) -> PyResult {
    vm.require(
        crate::vm::limits::Capability::Network,
        "socket.getaddrinfo()",
    )?;
    let req = addrinfo_request(vm, &args)?;
    match getaddrinfo_blocking(&req) {
        Ok(rows) => Ok(addrinfo_value(vm, &rows)),
        Err((code, msg)) => Err(gaierror(vm, code, &msg)),
    }
}

fn f_gethostbyname(vm: &mut Vm, args: Args) -> PyResult {
    vm.require(
        crate::vm::limits::Capability::Network,
        "socket.gethostbyname()",
    )?;
    args.expect_range(vm, "gethostbyname", 1, 1)?;
    let host = vm
        .arg_str(&args.pos[0], "gethostbyname", "argument 1")?
        .to_string();
    let req = AddrInfoRequest {
        host: Some(host),
        port: None,
        family: AF_INET,
        stype: SOCK_STREAM,
        proto: 0,
        flags: 0,
    };
    match getaddrinfo_blocking(&req) {
        Ok(rows) => {
            let ip = rows[0].4.ip().to_string();
            Ok(vm.new_str(ip))
        }
        Err((code, msg)) => Err(gaierror(vm, code, &msg)),
    }
}

fn f_gethostname(vm: &mut Vm, _args: Args) -> PyResult {
    vm.require(
        crate::vm::limits::Capability::Environment,
        "socket.gethostname()",
    )?;
    let name = nix::unistd::gethostname()
        .map(|h| h.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(vm.new_str(name))
}

// ----- socket objects ------------------------------------------------------------------------

/// The payload of a `socket.socket`.
pub struct SocketObj {
    pub sock: RefCell<Option<Socket>>,
    pub family: i64,
    pub stype: i64,
    pub proto: i64,
    /// None: blocking; Some(0.0): non-blocking; Some(t): timeout in seconds.
    pub timeout: Cell<Option<f64>>,
}

impl ExtObject for SocketObj {
    fn type_name(&self) -> &str {
        "socket"
    }
    fn trace(&self, _f: &mut dyn FnMut(&Value)) {}
    fn clear(&self) {}
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

impl SocketObj {
    /// The descriptor, or -1 once closed.
    pub fn fd(&self) -> RawFd {
        self.sock
            .borrow()
            .as_ref()
            .map(|s| s.as_raw_fd())
            .unwrap_or(-1)
    }
}

/// The socket payload of a `socket.socket` or `TransportSocket` value.
pub fn socket_of(v: &Value) -> Option<&SocketObj> {
    match v.kind()? {
        ObjKind::Ext(e) => {
            if let Some(s) = e.as_any().downcast_ref::<SocketObj>() {
                return Some(s);
            }
            let t = e.as_any().downcast_ref::<TransportSocketObj>()?;
            socket_of(&t.sock)
        }
        _ => None,
    }
}

/// The types of the socket module.
pub struct SocketTypes {
    pub socket: ObjRef,
    pub transport_socket: ObjRef,
}

/// The socket types, created on first use.
pub fn io_types(vm: &mut Vm) -> &SocketTypes {
    if !vm.ext.contains_key("io.socket") {
        let t = create_types(vm);
        vm.ext.insert("io.socket", Box::new(t));
    }
    vm.ext
        .get("io.socket")
        .and_then(|b| b.downcast_ref::<SocketTypes>())
        .expect("just created")
}

/// Wraps a `socket2::Socket` in a new socket object.
pub fn new_socket_value(vm: &mut Vm, sock: Socket, family: i64, stype: i64, proto: i64) -> Value {
    let blocking = !sock.nonblocking().unwrap_or(false);
    let cls = io_types(vm).socket.clone();
    Value::Obj(vm.alloc_instance(
        cls,
        ObjKind::Ext(Box::new(SocketObj {
            sock: RefCell::new(Some(sock)),
            family,
            stype,
            proto,
            timeout: Cell::new(if blocking { None } else { Some(0.0) }),
        })),
    ))
}

fn this_sock<'a>(vm: &mut Vm, args: &Args<'a>) -> PyResult<&'a SocketObj> {
    match args.pos.first().and_then(socket_of) {
        Some(s) => Ok(s),
        None => Err(vm.type_error("descriptor requires a 'socket' object".into())),
    }
}

/// Runs `f` on the socket's descriptor, raising EBADF once closed.
pub fn with_sock<T>(
    vm: &mut Vm,
    s: &SocketObj,
    f: impl FnOnce(&Socket) -> std::io::Result<T>,
) -> PyResult<T> {
    let r = {
        let b = s.sock.borrow();
        b.as_ref().map(f)
    };
    match r {
        None => Err(ebadf(vm)),
        Some(Ok(v)) => Ok(v),
        Some(Err(e)) => Err(os_error(vm, &e)),
    }
}

fn socket_new(vm: &mut Vm, args: Args) -> PyResult {
    vm.require(crate::vm::limits::Capability::Network, "socket.socket()")?;
    let rest = Args {
        pos: &args.pos[1.min(args.pos.len())..],
        ..args
    };
    let [family, stype, proto, fileno] =
        rest.bind(vm, "socket", ["family", "type", "proto", "fileno"], 0)?;
    let int = |vm: &mut Vm, v: Option<Value>, d: i64| -> PyResult<i64> {
        match v {
            None | Some(Value::None) => Ok(d),
            Some(v) => vm.index_value(&v),
        }
    };
    if fileno.as_ref().is_some_and(|v| !v.is_none()) {
        return Err(vm.new_exc_msg(
            "NotImplementedError",
            "socket(fileno=...) is not supported".into(),
        ));
    }
    let family = int(vm, family, AF_INET)?;
    let stype = int(vm, stype, SOCK_STREAM)?;
    let proto = int(vm, proto, 0)?;
    let domain = match family {
        AF_INET => Domain::IPV4,
        AF_INET6 => Domain::IPV6,
        AF_UNIX => Domain::UNIX,
        _ => {
            return Err(os_error_errno(
                vm,
                97,
                "Address family not supported by protocol",
            ))
        }
    };
    let ty = match stype {
        SOCK_STREAM => Type::STREAM,
        SOCK_DGRAM => Type::DGRAM,
        _ => return Err(os_error_errno(vm, 94, "Socket type not supported")),
    };
    let p = if proto == 0 {
        None
    } else {
        Some(Protocol::from(proto as i32))
    };
    let sock = Socket::new(domain, ty, p).map_err(|e| os_error(vm, &e))?;
    let proto = if proto == 0 && family != AF_UNIX {
        0
    } else {
        proto
    };
    Ok(new_socket_value(vm, sock, family, stype, proto))
}

fn m_fileno(vm: &mut Vm, args: Args) -> PyResult {
    let s = this_sock(vm, &args)?;
    Ok(Value::Int(s.fd() as i64))
}

fn m_close(vm: &mut Vm, args: Args) -> PyResult {
    let s = this_sock(vm, &args)?;
    let old = s.sock.borrow_mut().take();
    drop(old);
    Ok(Value::None)
}

fn m_detach(vm: &mut Vm, args: Args) -> PyResult {
    let s = this_sock(vm, &args)?;
    let old = s.sock.borrow_mut().take();
    match old {
        Some(sock) => {
            use std::os::fd::IntoRawFd;
            Ok(Value::Int(sock.into_raw_fd() as i64))
        }
        None => Ok(Value::Int(-1)),
    }
}

fn m_getsockname(vm: &mut Vm, args: Args) -> PyResult {
    let s = this_sock(vm, &args)?;
    let a = with_sock(vm, s, |k| k.local_addr())?;
    Ok(addr_to_value(vm, &a))
}

fn m_getpeername(vm: &mut Vm, args: Args) -> PyResult {
    let s = this_sock(vm, &args)?;
    let a = with_sock(vm, s, |k| k.peer_addr())?;
    Ok(addr_to_value(vm, &a))
}

fn m_setblocking(vm: &mut Vm, args: Args) -> PyResult {
    let s = this_sock(vm, &args)?;
    args.method_range(vm, "setblocking", 1, 1)?;
    let b = vm.truthy(&args.pos[1])?;
    with_sock(vm, s, |k| k.set_nonblocking(!b))?;
    s.timeout.set(if b { None } else { Some(0.0) });
    Ok(Value::None)
}

fn m_getblocking(vm: &mut Vm, args: Args) -> PyResult {
    let s = this_sock(vm, &args)?;
    Ok(Value::from_bool(s.timeout.get() != Some(0.0)))
}

fn m_settimeout(vm: &mut Vm, args: Args) -> PyResult {
    let s = this_sock(vm, &args)?;
    args.method_range(vm, "settimeout", 1, 1)?;
    let t = match &args.pos[1] {
        Value::None => None,
        v => {
            let t = crate::types::float::to_float(vm, v)?;
            if t < 0.0 {
                return Err(vm.value_error("Timeout value out of range".into()));
            }
            Some(t)
        }
    };
    let nb = t == Some(0.0);
    with_sock(vm, s, |k| {
        k.set_nonblocking(nb)?;
        let d = t
            .filter(|x| *x > 0.0)
            .map(std::time::Duration::from_secs_f64);
        k.set_read_timeout(d)?;
        k.set_write_timeout(d)
    })?;
    s.timeout.set(t);
    Ok(Value::None)
}

fn m_gettimeout(vm: &mut Vm, args: Args) -> PyResult {
    let s = this_sock(vm, &args)?;
    Ok(s.timeout.get().map(Value::from_f64).unwrap_or(Value::None))
}

fn m_bind(vm: &mut Vm, args: Args) -> PyResult {
    let s = this_sock(vm, &args)?;
    args.method_range(vm, "bind", 1, 1)?;
    let a = value_to_addr(vm, s.family, &args.pos[1], "bind")?;
    with_sock(vm, s, |k| k.bind(&a))?;
    Ok(Value::None)
}

fn m_listen(vm: &mut Vm, args: Args) -> PyResult {
    let s = this_sock(vm, &args)?;
    let backlog = match args.pos.get(1) {
        Some(v) => vm.index_value(v)?.clamp(0, i32::MAX as i64) as i32,
        None => 128,
    };
    with_sock(vm, s, |k| k.listen(backlog))?;
    Ok(Value::None)
}

fn m_accept(vm: &mut Vm, args: Args) -> PyResult {
    let s = this_sock(vm, &args)?;
    let (conn, addr) = with_sock(vm, s, |k| k.accept())?;
    let proto = s.proto;
    let c = new_socket_value(vm, conn, s.family, s.stype, proto);
    let a = addr_to_value(vm, &addr);
    Ok(vm.new_tuple(vec![c, a]))
}

fn connect_common(vm: &mut Vm, args: &Args, ex: bool) -> PyResult {
    let s = this_sock(vm, args)?;
    let name = if ex { "connect_ex" } else { "connect" };
    args.method_range(vm, name, 1, 1)?;
    let a = value_to_addr(vm, s.family, &args.pos[1], name)?;
    let r = {
        let b = s.sock.borrow();
        match b.as_ref() {
            Some(k) => k.connect(&a),
            None => Err(std::io::Error::from_raw_os_error(9)),
        }
    };
    match r {
        Ok(()) => Ok(if ex { Value::Int(0) } else { Value::None }),
        Err(e) if ex => Ok(Value::Int(e.raw_os_error().unwrap_or(-1) as i64)),
        Err(e) => Err(os_error(vm, &e)),
    }
}

fn m_connect(vm: &mut Vm, args: Args) -> PyResult {
    connect_common(vm, &args, false)
}

fn m_connect_ex(vm: &mut Vm, args: Args) -> PyResult {
    connect_common(vm, &args, true)
}

fn m_recv(vm: &mut Vm, args: Args) -> PyResult {
    let s = this_sock(vm, &args)?;
    let n = match args.pos.get(1) {
        Some(v) => vm.index_value(v)?,
        None => {
            return Err(vm.type_error("recv() takes at least 1 argument (0 given)".into()));
        }
    };
    if n < 0 {
        return Err(vm.value_error("negative buffersize in recv".into()));
    }
    let mut buf = vec![0u8; n as usize];
    let got = with_sock(vm, s, |k| {
        use std::io::Read;
        let mut r: &Socket = k;
        r.read(&mut buf)
    })?;
    buf.truncate(got);
    Ok(vm.new_bytes(buf))
}

fn data_arg(vm: &mut Vm, v: &Value) -> PyResult<Vec<u8>> {
    match crate::types::bytes::bytes_of(v) {
        Some(b) => Ok(b),
        None => {
            let t = vm.type_name(v);
            Err(vm.type_error(format!("a bytes-like object is required, not '{t}'")))
        }
    }
}

fn m_send(vm: &mut Vm, args: Args) -> PyResult {
    let s = this_sock(vm, &args)?;
    args.method_range(vm, "send", 1, 2)?;
    let data = data_arg(vm, &args.pos[1])?;
    let n = with_sock(vm, s, |k| k.send(&data))?;
    Ok(Value::Int(n as i64))
}

fn m_sendall(vm: &mut Vm, args: Args) -> PyResult {
    let s = this_sock(vm, &args)?;
    args.method_range(vm, "sendall", 1, 2)?;
    let data = data_arg(vm, &args.pos[1])?;
    with_sock(vm, s, |k| {
        let mut off = 0;
        while off < data.len() {
            off += k.send(&data[off..])?;
        }
        Ok(())
    })?;
    Ok(Value::None)
}

fn m_shutdown(vm: &mut Vm, args: Args) -> PyResult {
    let s = this_sock(vm, &args)?;
    args.method_range(vm, "shutdown", 1, 1)?;
    let how = match vm.index_value(&args.pos[1])? {
        SHUT_RD => std::net::Shutdown::Read,
        SHUT_WR => std::net::Shutdown::Write,
        SHUT_RDWR => std::net::Shutdown::Both,
        _ => return Err(os_error_errno(vm, 22, "Invalid argument")),
    };
    with_sock(vm, s, |k| k.shutdown(how))?;
    Ok(Value::None)
}

fn m_setsockopt(vm: &mut Vm, args: Args) -> PyResult {
    let s = this_sock(vm, &args)?;
    args.method_range(vm, "setsockopt", 3, 3)?;
    let level = vm.index_value(&args.pos[1])?;
    let opt = vm.index_value(&args.pos[2])?;
    let on = vm.truthy(&args.pos[3])?;
    with_sock(vm, s, |k| match (level, opt) {
        (SOL_SOCKET, SO_REUSEADDR) => k.set_reuse_address(on),
        (SOL_SOCKET, SO_REUSEPORT) => k.set_reuse_port(on),
        (SOL_SOCKET, SO_KEEPALIVE) => k.set_keepalive(on),
        (IPPROTO_TCP, TCP_NODELAY) => k.set_tcp_nodelay(on),
        (IPPROTO_IPV6, IPV6_V6ONLY) => k.set_only_v6(on),
        _ => Err(std::io::Error::from_raw_os_error(92)),
    })?;
    Ok(Value::None)
}

fn m_getsockopt(vm: &mut Vm, args: Args) -> PyResult {
    let s = this_sock(vm, &args)?;
    args.method_range(vm, "getsockopt", 2, 3)?;
    let level = vm.index_value(&args.pos[1])?;
    let opt = vm.index_value(&args.pos[2])?;
    let v = with_sock(vm, s, |k| match (level, opt) {
        (SOL_SOCKET, SO_ERROR) => {
            Ok(k.take_error()?.and_then(|e| e.raw_os_error()).unwrap_or(0) as i64)
        }
        (SOL_SOCKET, SO_REUSEADDR) => k.reuse_address().map(|b| b as i64),
        (SOL_SOCKET, SO_KEEPALIVE) => k.keepalive().map(|b| b as i64),
        (IPPROTO_TCP, TCP_NODELAY) => k.tcp_nodelay().map(|b| b as i64),
        (IPPROTO_IPV6, IPV6_V6ONLY) => k.only_v6().map(|b| b as i64),
        _ => Err(std::io::Error::from_raw_os_error(92)),
    })?;
    Ok(Value::Int(v))
}

fn get_family(_vm: &mut Vm, v: &Value) -> PyResult {
    Ok(Value::Int(socket_of(v).map(|s| s.family).unwrap_or(0)))
}

fn get_type(_vm: &mut Vm, v: &Value) -> PyResult {
    Ok(Value::Int(socket_of(v).map(|s| s.stype).unwrap_or(0)))
}

fn get_proto(_vm: &mut Vm, v: &Value) -> PyResult {
    Ok(Value::Int(socket_of(v).map(|s| s.proto).unwrap_or(0)))
}

/// The `fd=..., family=..., laddr=...` part of socket reprs.
fn repr_body(vm: &mut Vm, s: &SocketObj) -> String {
    let fd = s.fd();
    let mut out = String::new();
    if fd < 0 {
        out.push_str("[closed] ");
    }
    out.push_str(&format!(
        "fd={fd}, family={}, type={}, proto={}",
        s.family, s.stype, s.proto
    ));
    if fd >= 0 {
        let (l, r) = {
            let b = s.sock.borrow();
            let k = b.as_ref();
            (
                k.and_then(|k| k.local_addr().ok()),
                k.and_then(|k| k.peer_addr().ok()),
            )
        };
        if let Some(l) = l {
            let v = addr_to_value(vm, &l);
            out.push_str(&format!(", laddr={}", vm.repr_or_default(&v)));
        }
        if let Some(r) = r {
            let v = addr_to_value(vm, &r);
            out.push_str(&format!(", raddr={}", vm.repr_or_default(&v)));
        }
    }
    out
}

fn m_repr(vm: &mut Vm, args: Args) -> PyResult {
    let s = this_sock(vm, &args)?;
    let body = repr_body(vm, s);
    Ok(vm.new_str(format!("<socket.socket {body}>")))
}

fn m_enter(_vm: &mut Vm, args: Args) -> PyResult {
    Ok(args.pos[0].clone())
}

fn m_exit(vm: &mut Vm, args: Args) -> PyResult {
    m_close(vm, args)?;
    Ok(Value::None)
}

/// A socket owned by a transport or server, as handed to scripts (`asyncio.TransportSocket`).
pub struct TransportSocketObj {
    pub sock: Value,
}

impl ExtObject for TransportSocketObj {
    fn type_name(&self) -> &str {
        "TransportSocket"
    }
    fn trace(&self, f: &mut dyn FnMut(&Value)) {
        f(&self.sock);
    }
    fn clear(&self) {}
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// `asyncio.TransportSocket(sock)`.
pub fn transport_socket(vm: &mut Vm, sock: Value) -> Value {
    let cls = io_types(vm).transport_socket.clone();
    Value::Obj(vm.alloc_instance(cls, ObjKind::Ext(Box::new(TransportSocketObj { sock }))))
}

fn ts_repr(vm: &mut Vm, args: Args) -> PyResult {
    let s = this_sock(vm, &args)?;
    let body = repr_body(vm, s);
    Ok(vm.new_str(format!("<asyncio.TransportSocket {body}>")))
}

fn create_types(vm: &mut Vm) -> SocketTypes {
    let object = vm.types.object.clone();
    let socket = make_type("socket", Some(&object), Layout::Opaque, true);
    let ts = make_type("TransportSocket", Some(&object), Layout::Opaque, true);
    let m = vm.new_str("socket");
    *socket.as_type().expect("type").module.borrow_mut() = m;
    let m = vm.new_str("asyncio.trsock");
    *ts.as_type().expect("type").module.borrow_mut() = m;
    vm.add_staticmethod(&socket, "__new__", socket_new);
    let common: &[(&str, crate::vm::object::NativeFn)] = &[
        ("fileno", m_fileno),
        ("getsockname", m_getsockname),
        ("getpeername", m_getpeername),
        ("setsockopt", m_setsockopt),
        ("getsockopt", m_getsockopt),
        ("gettimeout", m_gettimeout),
    ];
    for (n, f) in common {
        vm.add_method(&socket, n, *f);
        vm.add_method(&ts, n, *f);
    }
    let methods: &[(&str, crate::vm::object::NativeFn)] = &[
        ("close", m_close),
        ("detach", m_detach),
        ("setblocking", m_setblocking),
        ("getblocking", m_getblocking),
        ("settimeout", m_settimeout),
        ("bind", m_bind),
        ("listen", m_listen),
        ("accept", m_accept),
        ("connect", m_connect),
        ("connect_ex", m_connect_ex),
        ("recv", m_recv),
        ("send", m_send),
        ("sendall", m_sendall),
        ("shutdown", m_shutdown),
        ("__repr__", m_repr),
        ("__enter__", m_enter),
        ("__exit__", m_exit),
    ];
    vm.add_methods(&socket, methods);
    vm.add_method(&ts, "__repr__", ts_repr);
    for t in [&socket, &ts] {
        vm.add_getset(t, "family", get_family, None);
        vm.add_getset(t, "type", get_type, None);
        vm.add_getset(t, "proto", get_proto, None);
    }
    // socket.gaierror and socket.herror are OSError subclasses.
    let os = vm.types.exc("OSError").clone();
    let module = vm.new_str("socket");
    for name in ["gaierror", "herror"] {
        let t = make_type(name, Some(&os), Layout::Exception, true);
        *t.as_type().expect("type").module.borrow_mut() = module.clone();
        vm.types.exceptions.insert(name, t);
    }
    SocketTypes {
        socket,
        transport_socket: ts,
    }
}

/// Creates the native `socket` module.
pub fn create_module(vm: &mut Vm) -> ObjRef {
    let socket_t = io_types(vm).socket.clone();
    let m = vm.new_module("socket");
    let ObjKind::Module(mo) = &m.kind else {
        unreachable!()
    };
    let d = mo.dict.clone();
    vm.dict_set_str(&d, "socket", Value::Obj(socket_t.clone()));
    vm.dict_set_str(&d, "SocketType", Value::Obj(socket_t));
    for name in ["gaierror", "herror"] {
        let c = vm.types.exc(name).clone();
        vm.dict_set_str(&d, name, Value::Obj(c));
    }
    let os = vm.types.exc("OSError").clone();
    vm.dict_set_str(&d, "error", Value::Obj(os));
    let to = vm.types.exc("TimeoutError").clone();
    vm.dict_set_str(&d, "timeout", Value::Obj(to));
    let consts: &[(&str, i64)] = &[
        ("AF_UNSPEC", AF_UNSPEC),
        ("AF_UNIX", AF_UNIX),
        ("AF_INET", AF_INET),
        ("AF_INET6", AF_INET6),
        ("SOCK_STREAM", SOCK_STREAM),
        ("SOCK_DGRAM", SOCK_DGRAM),
        ("SOCK_RAW", SOCK_RAW),
        ("IPPROTO_TCP", IPPROTO_TCP),
        ("IPPROTO_UDP", IPPROTO_UDP),
        ("IPPROTO_IPV6", IPPROTO_IPV6),
        ("IPV6_V6ONLY", IPV6_V6ONLY),
        ("AI_PASSIVE", AI_PASSIVE),
        ("AI_CANONNAME", AI_CANONNAME),
        ("AI_NUMERICHOST", AI_NUMERICHOST),
        ("SOL_SOCKET", SOL_SOCKET),
        ("SO_REUSEADDR", SO_REUSEADDR),
        ("SO_REUSEPORT", SO_REUSEPORT),
        ("SO_KEEPALIVE", SO_KEEPALIVE),
        ("SO_ERROR", SO_ERROR),
        ("TCP_NODELAY", TCP_NODELAY),
        ("SHUT_RD", SHUT_RD),
        ("SHUT_WR", SHUT_WR),
        ("SHUT_RDWR", SHUT_RDWR),
        ("SOMAXCONN", 4096),
    ];
    for (n, v) in consts {
        vm.dict_set_str(&d, n, Value::Int(*v));
    }
    let funcs: &[(&str, crate::vm::object::NativeFn)] = &[
        ("getaddrinfo", f_getaddrinfo),
        ("gethostbyname", f_gethostbyname),
        ("gethostname", f_gethostname),
    ];
    crate::modules::add_functions(vm, &d, funcs);
    m
}
