//! Heap objects: `Obj` = optional class + `ObjKind` payload.
//!
//! The payload is a closed enum of the builtin kinds. An object whose class is a builtin type
//! stores `class: None` and its type is implied by the payload; an instance of a user class
//! stores its class and carries the payload of the nearest builtin base (`Object` for plain
//! classes, `Exception` for exception subclasses, `Subclass` wrapping any other builtin payload).
//! Invariant: payloads that hold other values put them behind `RefCell`/`Cell` only where
//! Python allows mutation; no borrow is ever held across a call that can run Aio code.

use super::frame::Frame;
use super::value::{ObjRef, Value};
use crate::compile::code::Code;
use crate::types::dict::Dict;
use crate::types::set::SetData;
use compact_str::CompactString;
use num_bigint::BigInt;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// A heap object.
pub struct Obj {
    /// The class of an instance of a user class; None for builtin objects, whose type follows
    /// from `kind`.
    pub class: Option<ObjRef>,
    pub kind: ObjKind,
}

// An object and its `Rc` counts must stay within glibc's 80-byte chunk (a request of up to 72
// bytes): `ObjKind` is 40 bytes because `CompactString`'s spare last-byte values hold the tag.
const _: () = assert!(std::mem::size_of::<ObjKind>() <= 40);
const _: () = assert!(std::mem::size_of::<Obj>() <= 48);

/// The builtin payload of an object.
pub enum ObjKind {
    BigInt(BigInt),
    Str(StrObj),
    Bytes(Box<[u8]>),
    ByteArray(RefCell<Vec<u8>>),
    Tuple(Box<[Value]>),
    List(RefCell<Vec<Value>>),
    Dict(Box<RefCell<Dict>>),
    Set(Box<RefCell<SetData>>),
    FrozenSet(Box<SetData>),
    Range(Box<RangeObj>),
    Slice(Box<[Value; 3]>),
    Function(Box<Function>),
    BoundMethod(Box<(Value, Value)>),
    Native(Box<NativeFunction>),
    Type(Box<TypeObj>),
    Module(Box<ModuleObj>),
    /// A closure cell; `Value::Null` when empty.
    Cell(RefCell<Value>),
    Code(Rc<Code>),
    Property(Box<Property>),
    StaticMethod(Value),
    ClassMethod(Value),
    /// A computed attribute of a builtin type (`__dict__`, `__name__`, `args`...).
    GetSet(Box<GetSet>),
    /// A plain instance (of `object` or of a user class without another builtin base).
    Object(RefCell<Attrs>),
    /// An instance of a user subclass of a builtin type other than object/BaseException.
    Subclass(Box<Subclassed>),
    Exception(Box<ExcObj>),
    Generator(GenObj),
    /// An `asyncio.Future` or `asyncio.Task`.
    Future(crate::event_loop::future::FutureObj),
    /// The awaitable returned by an async generator's `asend`/`__anext__`, `athrow`, `aclose`.
    AsyncGenOp(Box<AsyncGenOp>),
    /// `coroutine.__await__()`: an iterator that drives the coroutine it wraps.
    CoroWrapper(ObjRef),
    Iter(Box<NativeIter>),
    DictView(Box<(ObjRef, DictViewKind)>),
    /// `super(type, obj)`.
    Super(Box<(ObjRef, Value)>),
    NotImplemented,
    Ellipsis,
    /// Payload of an object defined by an extension (event loop, embedding host): the Rust
    /// side owns its meaning.
    Ext(Box<dyn ExtObject>),
    /// The awaitable of `asyncio.Event.wait()`: an extension payload kept in the object
    /// itself rather than boxed, since every task parked on an event holds one. Everything
    /// that handles `Ext` handles it too (`ObjKind::ext`).
    EventWait(crate::event_loop::event_wait::WaitOp),
}

impl ObjKind {
    /// The extension payload, boxed or inline.
    #[inline]
    pub fn ext(&self) -> Option<&dyn ExtObject> {
        match self {
            ObjKind::Ext(e) => Some(&**e),
            ObjKind::EventWait(w) => Some(w),
            _ => None,
        }
    }
}

/// Objects provided by Rust code outside the core (futures, tasks, sockets, host types).
pub trait ExtObject: std::any::Any {
    /// The Python type name used in default reprs and error messages.
    fn type_name(&self) -> &str;
    /// Calls `f` on every value directly held (for the cycle collector).
    fn trace(&self, f: &mut dyn FnMut(&Value));
    /// Drops every held value (breaking cycles); called only on garbage.
    fn clear(&self);
    /// Access for downcasting.
    fn as_any(&self) -> &dyn std::any::Any;
}

/// A str payload: UTF-8 text, its length in code points and its cached hash.
///
/// Text of up to 24 bytes is stored inline (`CompactString`), so a small str is one
/// allocation (the object's); longer text lives in one heap buffer of its own.
pub struct StrObj {
    s: CompactString,
    chars: usize,
    /// -1 until computed (CPython's hash of a str is never -1).
    pub hash: Cell<i64>,
}

impl StrObj {
    /// Wraps text.
    pub fn new(s: impl Into<CompactString>) -> StrObj {
        let s = s.into();
        let chars = if s.is_ascii() {
            s.len()
        } else {
            s.chars().count()
        };
        StrObj {
            s,
            chars,
            hash: Cell::new(-1),
        }
    }

    /// Wraps text whose code-point count is already known.
    #[inline]
    pub fn with_len(s: impl Into<CompactString>, chars: usize) -> StrObj {
        StrObj {
            s: s.into(),
            chars,
            hash: Cell::new(-1),
        }
    }

    #[inline]
    pub fn as_str(&self) -> &str {
        self.s.as_str()
    }

    /// Length in code points (Python's `len`).
    #[inline]
    pub fn char_len(&self) -> usize {
        self.chars
    }

    /// True when every character is ASCII, so byte and character indices agree.
    #[inline]
    pub fn is_ascii(&self) -> bool {
        self.chars == self.s.len()
    }
}

/// `range(start, stop, step)` with its precomputed length.
pub struct RangeObj {
    pub start: i64,
    pub stop: i64,
    pub step: i64,
    pub len: i64,
}

/// Instance attributes. Small attribute sets stay an inline list searched by identity of the
/// interned name first; `__dict__` access (or many attributes) turns them into a real dict
/// object that is then shared with the script.
pub enum Attrs {
    Inline(Vec<(Value, Value)>),
    Dict(ObjRef),
}

impl Attrs {
    /// No attributes.
    pub fn new() -> Attrs {
        Attrs::Inline(Vec::new())
    }
}

impl Default for Attrs {
    fn default() -> Self {
        Attrs::new()
    }
}

/// An instance of a user subclass of a builtin such as list, dict, int or str.
pub struct Subclassed {
    pub attrs: RefCell<Attrs>,
    pub base: ObjKind,
}

/// A function defined in Aio.
pub struct Function {
    pub code: Rc<Code>,
    /// The module's globals dict.
    pub globals: ObjRef,
    pub name: RefCell<Value>,
    pub qualname: RefCell<Value>,
    /// Positional defaults (applied to the last parameters), or empty.
    pub defaults: RefCell<Rc<[Value]>>,
    /// Keyword-only defaults: a dict object, or None.
    pub kwdefaults: RefCell<Value>,
    /// Cells for the free variables, in `code.freevars` order.
    pub closure: Box<[ObjRef]>,
    /// `__dict__`, `__doc__`, `__module__`, `__wrapped__`, annotations...
    pub attrs: RefCell<Attrs>,
}

/// How a native function receives its arguments.
#[derive(Clone, Copy)]
pub struct Args<'a> {
    /// Positional arguments (for a method, `pos[0]` is self).
    pub pos: &'a [Value],
    /// Keyword argument names, matching `kwvalues`.
    pub kwnames: &'a [Value],
    pub kwvalues: &'a [Value],
    /// The `data` of the native function being called (Null for most).
    pub data: &'a Value,
}

/// Signature of every function implemented in Rust.
pub type NativeFn = fn(&mut super::Vm, Args<'_>) -> super::PyResult;

/// A builtin function or method implemented in Rust.
pub struct NativeFunction {
    pub name: Rc<str>,
    pub func: NativeFn,
    /// The object the function is bound to (passed as the first argument), or Null.
    pub bound: Value,
    /// Extra state some natives carry (e.g. the wrapped callable of a generated method).
    pub data: Value,
    /// The builtin type a method was defined on (`list` for `list.append`): called
    /// unbound, its first argument must be an instance of it.
    pub owner: Option<ObjRef>,
    pub doc: Option<&'static str>,
}

/// A class.
pub struct TypeObj {
    pub name: RefCell<Rc<str>>,
    pub qualname: RefCell<Rc<str>>,
    pub module: RefCell<Value>,
    /// The single base; None only for `object`.
    pub base: Option<ObjRef>,
    /// Bases from `base` up to `object` (the type itself excluded, to avoid a self cycle).
    pub mro: Vec<ObjRef>,
    pub dict: RefCell<Dict>,
    /// Which payload instances carry.
    pub layout: Layout,
    /// True for types implemented in Rust (their attributes cannot be set).
    pub builtin: bool,
    /// True when messages name the type as `module.name`, as CPython's `tp_name` does for
    /// C types defined in an extension module (`_asyncio.Task`, `time.struct_time`).
    pub dotted: Cell<bool>,
    /// Hint for sizing instance attribute storage.
    pub attr_hint: Cell<usize>,
    /// Which attribute hooks (`HOOK_*` bits) instances have, computed at class version `.0`.
    pub hooks: Cell<(u64, u8)>,
    /// How calling the class builds an instance, computed at class version `.0`.
    pub ctor: RefCell<(u64, CtorPlan)>,
    /// Version tag for cached lookups (see `vm::type_cache`): renewed whenever this class's
    /// dict or a base's dict changes.
    pub version: Cell<u64>,
    /// Direct subclasses, oldest first (weak: a class does not keep its subclasses alive).
    pub subclasses: RefCell<Vec<std::rc::Weak<Obj>>>,
}

/// What `cls(...)` amounts to, cached per class (see `TypeObj::ctor`).
#[derive(Clone, Default)]
pub enum CtorPlan {
    /// Not worked out yet, or stale.
    #[default]
    Unknown,
    /// `object.__new__`, then this `__init__` written in Aio.
    ObjectNewThenInit(Value),
    /// A builtin type whose native `__new__` (this function object) does all the work.
    BuiltinNew(Value),
    /// Anything else: the general path.
    General,
}

impl TypeObj {
    /// The name error messages use (CPython's `tp_name`).
    pub fn tp_name(&self) -> String {
        let name = self.name.borrow();
        if self.dotted.get() {
            if let Some(m) = self.module.borrow().as_str() {
                return format!("{m}.{name}");
            }
        }
        name.to_string()
    }
}

/// A `TypeObj::hooks` value that is always stale.
pub const HOOKS_UNKNOWN: (u64, u8) = (u64::MAX, 0);
/// The type (or a base) defines `__getattribute__` in Aio code.
pub const HOOK_GETATTRIBUTE: u8 = 1;
/// The type (or a base) defines `__getattr__`.
pub const HOOK_GETATTR: u8 = 2;
/// The type (or a base) defines `__setattr__` in Aio code.
pub const HOOK_SETATTR: u8 = 4;

/// The payload kind instances of a type are created with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    Object,
    Exception,
    Int,
    Float,
    Str,
    Bytes,
    Tuple,
    List,
    Dict,
    Set,
    FrozenSet,
    /// `asyncio.Future` and `asyncio.Task`: instances carry a future payload.
    Future,
    /// Builtin types that cannot be subclassed or instantiated directly from Aio.
    Opaque,
}

/// Getter of a computed attribute.
pub type Getter = fn(&mut super::Vm, &Value) -> super::PyResult;
/// Setter of a computed attribute (None value = delete).
pub type Setter = fn(&mut super::Vm, &Value, Option<Value>) -> super::PyResult<()>;

/// A computed attribute of a builtin type: a data descriptor implemented in Rust.
pub struct GetSet {
    pub name: Rc<str>,
    pub get: Getter,
    pub set: Option<Setter>,
}

/// A module object.
pub struct ModuleObj {
    pub name: Rc<str>,
    /// The globals dict object.
    pub dict: ObjRef,
}

/// `property(fget, fset, fdel, doc)`.
pub struct Property {
    pub fget: Value,
    pub fset: Value,
    pub fdel: Value,
    pub doc: Value,
}

/// One step of a traceback: a frame's code and the instruction it was executing.
#[derive(Clone)]
pub struct TbEntry {
    pub code: Rc<Code>,
    pub ip: u32,
    /// The frame's globals (NameError suggestions look there, as CPython does).
    pub globals: ObjRef,
    /// The locals of a frame the exception left: like CPython's traceback holding the
    /// frame, this keeps them alive (and unfinalized) until the exception dies.
    pub locals: Vec<Value>,
}

/// An exception instance's state.
pub struct ExcObj {
    pub args: RefCell<Value>,
    /// Innermost frame first.
    pub traceback: RefCell<Vec<TbEntry>>,
    pub cause: RefCell<Value>,
    pub context: RefCell<Value>,
    pub suppress_context: Cell<bool>,
    pub attrs: RefCell<Attrs>,
}

/// Which of Python's three generator-like types a `GenObj` is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GenKind {
    Generator,
    Coroutine,
    AsyncGenerator,
}

/// A generator, coroutine or async generator, kept in its object: its kind and flags, its
/// code, its names only when they are not its code's, and the rest (`GenBody`, reached
/// through `Deref`). 32 bytes, the room an object has beside its class and kind tag.
pub struct GenObj {
    pub kind: GenKind,
    /// Async generators: set while an `asend`/`athrow` awaitable is running it.
    pub running_async: Cell<bool>,
    /// Async generators: whether `firstiter` hooks have been called.
    pub hooks_inited: Cell<bool>,
    pub code: Rc<Code>,
    /// `__name__` and `__qualname__` when they are not the code's (a renamed function's
    /// generator, or assigned); None otherwise.
    pub names: Cell<Option<Box<(Value, Value)>>>,
    body: Box<GenBody>,
}

/// What a generator keeps outside its object: its frames (a one-frame suspended chain
/// inline).
pub struct GenBody {
    pub state: RefCell<GenState>,
    /// Where a dropped, still-suspended generator sends its frames to be closed.
    pub heap: Rc<super::heap::HeapShared>,
}

const _: () = assert!(std::mem::size_of::<GenObj>() <= 32);
const _: () = assert!(std::mem::size_of::<GenBody>() <= 48);

impl std::ops::Deref for GenObj {
    type Target = GenBody;
    #[inline]
    fn deref(&self) -> &GenBody {
        &self.body
    }
}

impl std::ops::DerefMut for GenObj {
    #[inline]
    fn deref_mut(&mut self) -> &mut GenBody {
        &mut self.body
    }
}

impl GenObj {
    /// A generator-like object over `state`, named `name`/`qualname`.
    pub fn new(
        kind: GenKind,
        state: GenState,
        code: Rc<Code>,
        heap: Rc<super::heap::HeapShared>,
        name: &Value,
        qualname: &Value,
    ) -> GenObj {
        let same = name.as_str() == Some(&*code.name) && qualname.as_str() == Some(&*code.qualname);
        GenObj {
            kind,
            running_async: Cell::new(false),
            hooks_inited: Cell::new(false),
            body: Box::new(GenBody {
                state: RefCell::new(state),
                heap,
            }),
            code,
            names: Cell::new(if same {
                None
            } else {
                Some(Box::new((name.clone(), qualname.clone())))
            }),
        }
    }

    /// Runs `f` on the names held (None when they are the code's).
    fn with_names<R>(&self, f: impl FnOnce(Option<&(Value, Value)>) -> R) -> R {
        let n = self.names.take();
        let r = f(n.as_deref());
        self.names.set(n);
        r
    }

    /// `__name__`.
    pub fn name(&self, vm: &mut super::Vm) -> Value {
        match self.with_names(|n| n.map(|n| n.0.clone())) {
            Some(v) => v,
            None => vm.intern(&self.code.name),
        }
    }

    /// `__qualname__`.
    pub fn qualname(&self, vm: &mut super::Vm) -> Value {
        match self.with_names(|n| n.map(|n| n.1.clone())) {
            Some(v) => v,
            None => vm.intern(&self.code.qualname),
        }
    }

    /// `__qualname__` as text ("?" when it was set to a non-str).
    pub fn qualname_string(&self) -> String {
        self.with_names(|n| match n {
            Some(n) => n.1.as_str().unwrap_or("?").to_string(),
            None => self.code.qualname.to_string(),
        })
    }

    /// Sets `__name__` (`qual` false) or `__qualname__`.
    pub fn set_names(&self, vm: &mut super::Vm, v: Value, qual: bool) {
        let (name, qualname) = (self.name(vm), self.qualname(vm));
        let pair = if qual { (name, v) } else { (v, qualname) };
        let old = self.names.replace(Some(Box::new(pair)));
        drop(old);
    }

    /// Calls `f` on the names held.
    pub fn trace_names(&self, f: &mut dyn FnMut(&Value)) {
        self.with_names(|n| {
            if let Some(n) = n {
                f(&n.0);
                f(&n.1);
            }
        });
    }
}

/// What an async-generator awaitable does to its generator.
pub enum AgenOpKind {
    /// `asend(value)` / `__anext__()` (value None).
    Send(Value),
    /// `athrow(exc)`.
    Throw(Value),
    /// `aclose()`.
    Close,
}

/// An `asend`/`athrow`/`aclose` awaitable.
pub struct AsyncGenOp {
    pub agen: ObjRef,
    pub op: RefCell<AgenOpKind>,
    /// 0: not started, 1: running, 2: done.
    pub state: Cell<u8>,
    /// An `athrow`/`aclose` awaitable (its type is `async_generator_athrow`).
    pub throws: bool,
}

/// A suspended await chain, base frame first. Most chains are one or two frames (an async
/// generator at its `yield`, a task's coroutine awaiting a future directly or through
/// `asyncio.sleep`), kept inline (in the space a `Vec` takes) so that suspending and
/// resuming them allocates nothing.
pub type Segment = smallvec::SmallVec<[Box<Frame>; 2]>;

/// The state of a generator's frames.
pub enum GenState {
    /// Not started: the frame is ready at its first instruction.
    Created(Box<Frame>),
    /// Suspended at a yield: `frames[0]` is the generator's own frame; further frames belong to
    /// generators it is delegating to through `yield from`/`await`, innermost last.
    Suspended(Segment),
    /// Suspended, but its frame is held inside the segment of the generator awaiting it.
    Delegated,
    /// Its frame is on the running fiber.
    Running,
    /// Returned or raised; the frame is gone.
    Finished,
}

/// Native iterators over builtin containers and the lazy builtins.
pub enum NativeIter {
    /// Over a list or tuple; `idx` is `usize::MAX` once exhausted.
    Seq {
        seq: ObjRef,
        idx: Cell<usize>,
    },
    /// `reversed(list)` or `reversed(tuple)`: counts down; `idx` is the next index + 1.
    SeqRev {
        seq: ObjRef,
        idx: Cell<usize>,
    },
    Range {
        next: Cell<i64>,
        step: i64,
        remaining: Cell<i64>,
    },
    /// Over a str: byte offset of the next character.
    Str {
        s: ObjRef,
        pos: Cell<usize>,
    },
    Bytes {
        b: ObjRef,
        idx: Cell<usize>,
    },
    /// Over a dict's keys, values or items; `len` is the size when iteration began.
    Dict {
        dict: ObjRef,
        idx: Cell<usize>,
        len: usize,
        kind: DictViewKind,
    },
    Set {
        set: ObjRef,
        idx: Cell<usize>,
        len: usize,
    },
    Enumerate {
        it: Value,
        count: Cell<i64>,
    },
    Zip {
        its: Box<[Value]>,
        strict: bool,
    },
    Map {
        func: Value,
        its: Box<[Value]>,
    },
    Filter {
        func: Value,
        it: Value,
    },
    /// The old `__getitem__` protocol.
    GetItem {
        seq: Value,
        idx: Cell<i64>,
    },
    /// `iter(callable, sentinel)`.
    Callable {
        func: Value,
        sentinel: Value,
        done: Cell<bool>,
    },
}

/// Which view of a dict.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DictViewKind {
    Keys,
    Values,
    Items,
}

impl Obj {
    /// The builtin payload, looking through a subclass wrapper.
    #[inline]
    pub fn payload(&self) -> &ObjKind {
        match &self.kind {
            ObjKind::Subclass(s) => &s.base,
            k => k,
        }
    }

    /// The instance attribute storage, for objects that have one.
    pub fn attrs(&self) -> Option<&RefCell<Attrs>> {
        match &self.kind {
            ObjKind::Object(a) => Some(a),
            ObjKind::Subclass(s) => Some(&s.attrs),
            ObjKind::Exception(e) => Some(&e.attrs),
            ObjKind::Function(f) => Some(&f.attrs),
            _ => None,
        }
    }

    /// The type payload, if this object is a class.
    #[inline]
    pub fn as_type(&self) -> Option<&TypeObj> {
        match &self.kind {
            ObjKind::Type(t) => Some(t),
            _ => None,
        }
    }
}

impl ObjKind {
    /// A short internal name of the payload kind (for debugging output).
    pub fn kind_name(&self) -> &'static str {
        match self {
            ObjKind::BigInt(_) => "int",
            ObjKind::Str(_) => "str",
            ObjKind::Bytes(_) => "bytes",
            ObjKind::ByteArray(_) => "bytearray",
            ObjKind::Tuple(_) => "tuple",
            ObjKind::List(_) => "list",
            ObjKind::Dict(_) => "dict",
            ObjKind::Set(_) => "set",
            ObjKind::FrozenSet(_) => "frozenset",
            ObjKind::Range(_) => "range",
            ObjKind::Slice(_) => "slice",
            ObjKind::Function(_) => "function",
            ObjKind::BoundMethod(_) => "method",
            ObjKind::Native(_) => "builtin_function_or_method",
            ObjKind::Type(_) => "type",
            ObjKind::Module(_) => "module",
            ObjKind::Cell(_) => "cell",
            ObjKind::Code(_) => "code",
            ObjKind::Property(_) => "property",
            ObjKind::StaticMethod(_) => "staticmethod",
            ObjKind::ClassMethod(_) => "classmethod",
            ObjKind::GetSet(_) => "getset_descriptor",
            ObjKind::Object(_) => "object",
            ObjKind::Subclass(_) => "subclass",
            ObjKind::Exception(_) => "exception",
            ObjKind::Generator(_) => "generator",
            ObjKind::AsyncGenOp(_) => "async_generator_asend",
            ObjKind::CoroWrapper(_) => "coroutine_wrapper",
            ObjKind::Future(_) => "Future",
            ObjKind::Iter(_) => "iterator",
            ObjKind::DictView(_) => "dict_view",
            ObjKind::Super(_) => "super",
            ObjKind::NotImplemented => "NotImplementedType",
            ObjKind::Ellipsis => "ellipsis",
            ObjKind::Ext(_) | ObjKind::EventWait(_) => "ext",
        }
    }
}
