//! Bytecode: the `Instr` set, `Code` objects, and the exception and span tables.
//!
//! The instruction set follows CPython 3.11's stack machine closely (same stack effects, same
//! zero-cost exception table), with a few fused forms. Invariants: every jump target is an
//! instruction index inside `instrs`; `spans.len() == instrs.len()`; exception-table entries are
//! sorted, disjoint, and each names the innermost handler for its range.

use crate::source::{SourceFile, Span};
use crate::syntax::ast::BinOp;
use crate::vm::value::Value;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// Comparison operators handled by `CompareOp` (identity and membership have their own).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpKind {
    Lt,
    Le,
    Eq,
    Ne,
    Gt,
    Ge,
}

impl CmpKind {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            CmpKind::Lt => "<",
            CmpKind::Le => "<=",
            CmpKind::Eq => "==",
            CmpKind::Ne => "!=",
            CmpKind::Gt => ">",
            CmpKind::Ge => ">=",
        }
    }

    /// The operator with operands swapped (`a < b` is `b > a`).
    pub fn swapped(self) -> CmpKind {
        match self {
            CmpKind::Lt => CmpKind::Gt,
            CmpKind::Le => CmpKind::Ge,
            CmpKind::Eq => CmpKind::Eq,
            CmpKind::Ne => CmpKind::Ne,
            CmpKind::Gt => CmpKind::Lt,
            CmpKind::Ge => CmpKind::Le,
        }
    }
}

/// Where `GetAwaitable` is used, for its error message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AwaitWhere {
    Await,
    AsyncWithEnter,
    AsyncWithExit,
}

/// One bytecode instruction. Stack effects are given as `before -> after` (top on the right).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Instr {
    Nop,
    /// `x ->`
    PopTop,
    /// Pushes a copy of the n-th value from the top (1 is the top).
    Copy(u32),
    /// Swaps the top with the n-th value from the top (n >= 2).
    Swap(u32),
    LoadConst(u32),
    LoadSmallInt(i32),
    LoadFast(u32),
    /// Superinstructions (see `fuse`): each stands in for `LoadFast(a)` and does the work of
    /// the instruction after it too, which stays in place for jumps that land on it.
    /// `LoadFast(a) LoadFast(b)`.
    LoadFastLoadFast(u16, u16),
    /// `LoadFast(a) LoadSmallInt(k)`.
    LoadFastSmallInt(u16, i16),
    /// `LoadFast(a) LoadSmallInt(k) BinaryOp(op)` (or `InplaceOp(op)`), for the operators
    /// an int local and a small int can do inline: the operation is known without reading
    /// the instruction after.
    LoadFastIntOp(BinOp, u16, i16),
    /// `LoadFastIntOp` whose result is stored by a `StoreFast` or used by a `LoadSmallInt`
    /// right after the operation: the result goes on into them (`int_continue`).
    LoadFastIntFold(BinOp, u16, i16),
    /// `LoadFast(a) LoadSmallInt(k) CompareOp(op)`, and the conditional jump after it.
    LoadFastIntCompare(CmpKind, u16, i16),
    /// `LoadFast(a) ReturnValue`.
    ReturnFast(u32),
    /// `StoreFast(a) LoadFast(b)`.
    StoreFastLoadFast(u16, u16),
    /// `BinaryOp(op) StoreFast(a)`.
    BinaryOpStore(BinOp, u16),
    /// `InplaceOp(op) StoreFast(a)`.
    InplaceOpStore(BinOp, u16),
    /// `BinaryOp(op) ReturnValue`.
    BinaryOpReturn(BinOp),
    /// `ForIter(t) StoreFast(a)`, stored as `(a, t)`.
    ForIterStore(u16, u32),
    /// A loop's backward `Jump(h)` to the `ForIter` (or `ForIterStore`) at `h`: jumps and
    /// advances the iterator in the same dispatch.
    JumpToForIter(u32),
    /// An `async for` loop's backward `Jump(h)` to its `GetANext` at `h`: jumps and runs the
    /// `GetANext` in the same dispatch.
    JumpToGetANext(u32),
    /// `LoadFast(a) YieldAsyncGen`: an async generator yielding a local.
    YieldAsyncGenFast(u32),
    StoreFast(u32),
    DeleteFast(u32),
    /// Loads the contents of the cell in local slot n.
    LoadDeref(u32),
    StoreDeref(u32),
    DeleteDeref(u32),
    /// Pushes the cell object itself (to build a closure).
    LoadClosure(u32),
    /// In a class body: the class namespace first, then the cell in slot n.
    LoadClassDeref(u32),
    LoadGlobal(u32),
    /// `LoadGlobal` then `PushNull`: a global about to be called.
    LoadGlobalNull(u32),
    StoreGlobal(u32),
    DeleteGlobal(u32),
    /// Namespace lookups for module and class bodies: locals dict, globals, builtins.
    LoadName(u32),
    StoreName(u32),
    DeleteName(u32),
    /// `obj -> obj.name`
    LoadAttr(u32),
    /// `value obj ->` sets obj.name = value
    StoreAttr(u32),
    DeleteAttr(u32),
    /// `obj -> meth self` when `name` is a plain method found on the type, else
    /// `obj -> attr NULL`.
    LoadMethod(u32),
    /// `container key -> container[key]`
    BinarySubscr,
    /// `value container key ->`
    StoreSubscr,
    DeleteSubscr,
    /// `start stop [step] -> slice`
    BuildSlice(u32),
    BinaryOp(BinOp),
    /// Augmented assignment: tries the in-place method first.
    InplaceOp(BinOp),
    UnaryNeg,
    UnaryPos,
    UnaryInvert,
    UnaryNot,
    CompareOp(CmpKind),
    /// `is` (false) / `is not` (true).
    IsOp(bool),
    /// `in` (false) / `not in` (true): `item container -> bool`
    ContainsOp(bool),
    BuildTuple(u32),
    BuildList(u32),
    BuildSet(u32),
    /// `k1 v1 ... kn vn -> dict`
    BuildMap(u32),
    /// Concatenates n strs (f-strings).
    BuildString(u32),
    /// `value [spec] -> str`: low two bits conversion (0 none, 1 str, 2 repr, 3 ascii),
    /// bit 2 set when a format spec is on the stack.
    FormatValue(u32),
    /// Appends the top to the list n values below it (comprehensions).
    ListAppend(u32),
    SetAdd(u32),
    /// `key value ->` into the dict n values below.
    MapAdd(u32),
    ListExtend(u32),
    SetUpdate(u32),
    DictUpdate(u32),
    /// Like DictUpdate for `**kwargs` in calls: duplicate keys are an error.
    DictMerge(u32),
    ListToTuple,
    UnpackSequence(u32),
    /// Starred unpacking: counts before and after the star.
    UnpackEx(u16, u16),
    Jump(u32),
    PopJumpIfFalse(u32),
    PopJumpIfTrue(u32),
    PopJumpIfNone(u32),
    PopJumpIfNotNone(u32),
    JumpIfFalseOrPop(u32),
    JumpIfTrueOrPop(u32),
    GetIter,
    /// `iter -> iter next` or, when exhausted, pops the iterator and jumps.
    ForIter(u32),
    GetAIter,
    /// `aiter -> aiter awaitable`
    GetANext,
    /// End of an `async for`: StopAsyncIteration ends the loop, anything else re-raises.
    EndAsyncFor,
    GetAwaitable(AwaitWhere),
    GetYieldFromIter,
    /// `subiter value -> subiter result-of-yield` while delegating, or on completion
    /// `subiter value -> value` and jump.
    Send(u32),
    YieldValue,
    /// `yield` in an async generator: suspends only the generator's own frame and completes
    /// the `asend`/`athrow` awaitable that resumed it with the value.
    YieldAsyncGen,
    ReturnValue,
    /// `callable self_or_null args... -> result`
    Call(u32),
    /// Like Call with the last `kwcount` arguments passed by keyword, names in const `names`.
    CallKw(u16, u16),
    /// `callable self_or_null args_tuple [kwargs_dict] -> result`; flag 1 = has kwargs.
    CallEx(u32),
    /// Pushes NULL (the "no self" marker used by Call).
    PushNull,
    /// `[defaults] [kwdefaults] [closure] code -> function`; flag bits 1, 2, 8.
    MakeFunction(u32),
    /// `body_function name base? -> class`; operand = number of bases (0 or 1) and keyword
    /// flags.
    BuildClass(u32),
    /// `raise`, `raise exc`, `raise exc from cause`.
    Raise(u32),
    /// Re-raises the top (an exception) without adding a traceback entry.
    Reraise,
    /// `exc -> prev_exc exc`, marking exc as being handled.
    PushExcInfo,
    /// `prev_exc ->` restores the previously handled exception.
    PopExcept,
    /// `exc type -> exc bool`
    CheckExcMatch,
    /// `mgr -> exit_bound enter_result`
    BeforeWith,
    /// `mgr -> aexit_bound aenter_awaitable`
    BeforeAsyncWith,
    /// `exit_bound lasti prev_exc exc -> ... exc result` calls exit with the exception.
    WithExceptStart,
    LoadAssertionError,
    /// `level fromlist -> module`
    ImportName(u32),
    /// `module -> module attr`
    ImportFrom(u32),
    ImportStar,
    /// REPL: prints repr of the top (if not None) and stores it as `_`.
    PrintExpr,
    SetupAnnotations,
    /// Pushes the exception currently being handled (for `raise` inside `except` via `Reraise`
    /// and for the `__exit__` path).
    LoadCurrentExc,
    /// `obj ->` raises TypeError unless obj is None (an `__init__`'s return value).
    CheckInitNone,
}

/// An exception-table entry: instructions in `start..end` jump to `target` on an exception,
/// after trimming the operand stack to `depth` (and pushing the raising instruction's index
/// first when `lasti`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExcEntry {
    pub start: u32,
    pub end: u32,
    pub target: u32,
    pub depth: u32,
    pub lasti: bool,
}

/// Flags describing what kind of code object this is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CodeFlags {
    pub varargs: bool,
    pub varkeywords: bool,
    pub generator: bool,
    pub coroutine: bool,
    pub async_generator: bool,
    /// Module or class body: names resolve through a namespace dict.
    pub namespace: bool,
}

/// Inline cache for global loads: valid while the globals dict's layout version is unchanged.
#[derive(Clone, Copy, Debug, Default)]
pub struct GlobalCache {
    pub version: u64,
    pub index: u32,
    /// True when the name was found in builtins (index then refers to the builtins dict,
    /// whose version must match too).
    pub builtin: bool,
    pub builtins_version: u64,
}

/// Inline cache for `LoadAttr`/`StoreAttr` on plain instances: while the instance's class is
/// `class` at `version`, that class has no attribute hooks and nothing under the name, so the
/// attribute lives in the instance itself, usually at position `index` of its inline list.
#[derive(Clone, Copy, Debug, Default)]
pub struct AttrCache {
    /// Address of the class; 0 when empty.
    pub class: usize,
    pub version: u64,
    pub index: u32,
}

/// Inline cache for `LoadMethod`: while the receiver's type is the one at address `class`
/// with version `version`, the name resolves on that type to `func`, a function (or an
/// unbound native) that binds as a method, and the type has no attribute hooks.
#[derive(Debug)]
pub struct MethodCache {
    /// Address of the type; 0 when empty.
    pub class: Cell<usize>,
    pub version: Cell<u64>,
    pub func: RefCell<Value>,
}

impl Default for MethodCache {
    fn default() -> MethodCache {
        MethodCache {
            class: Cell::new(0),
            version: Cell::new(0),
            func: RefCell::new(Value::None),
        }
    }
}

/// A compiled function, module, class body or comprehension.
pub struct Code {
    pub name: Rc<str>,
    pub qualname: Rc<str>,
    pub file: Rc<SourceFile>,
    pub instrs: Vec<Instr>,
    pub spans: Vec<Span>,
    pub consts: Vec<Value>,
    /// Names for globals, attributes and imports: interned str values.
    pub names: Vec<Value>,
    /// Local variable names (parameters first), then cell names, then free names.
    pub varnames: Vec<Value>,
    /// Number of plain locals (parameters included).
    pub nlocals: u32,
    /// Slots `nlocals..nlocals+ncells` are cells created by this frame.
    pub ncells: u32,
    /// Slots after the cells are free variables copied from the closure.
    pub nfree: u32,
    /// `nlocals + ncells + nfree`, read on every call.
    pub nslots: u32,
    /// For each cell slot, the parameter index it must be initialised from, if any.
    pub cell_from_arg: Vec<Option<u32>>,
    pub argcount: u32,
    pub posonlyargcount: u32,
    pub kwonlyargcount: u32,
    pub flags: CodeFlags,
    pub exc_table: Vec<ExcEntry>,
    pub first_line: u32,
    pub max_stack: u32,
    /// The docstring, if the body starts with one.
    pub doc: Value,
    /// One inline cache per LoadGlobal instruction, indexed by the instruction's cache slot.
    pub global_caches: Box<[Cell<GlobalCache>]>,
    /// One inline cache per LoadAttr/StoreAttr instruction.
    pub attr_caches: Box<[Cell<AttrCache>]>,
    /// One inline cache per LoadMethod instruction.
    pub method_caches: Box<[MethodCache]>,
    /// Maps an instruction index to its cache slot (only for instructions that have one) in
    /// the table for its kind.
    pub cache_index: Vec<u32>,
    /// Only positional parameters, no cells, not a generator: a call with exactly
    /// `argcount` positional arguments just moves them into the first local slots.
    pub plain: bool,
}

impl Code {
    /// The innermost exception handler covering instruction `ip`.
    pub fn handler_for(&self, ip: u32) -> Option<ExcEntry> {
        let t = &self.exc_table;
        let i = t.partition_point(|e| e.end <= ip);
        t.get(i).copied().filter(|e| e.start <= ip && ip < e.end)
    }

    /// The 1-based source line of instruction `ip`.
    pub fn line_of(&self, ip: u32) -> usize {
        let span = self.spans.get(ip as usize).copied().unwrap_or_default();
        self.file.line_of(span.lo)
    }

    /// True for generator, coroutine and async generator code.
    pub fn is_generator_like(&self) -> bool {
        self.flags.generator || self.flags.coroutine || self.flags.async_generator
    }

    /// Total local slots: plain locals, cells and free variables.
    #[inline]
    pub fn nslots(&self) -> usize {
        self.nslots as usize
    }
}
