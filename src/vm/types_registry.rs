//! The builtin type objects of one interpreter.
//!
//! Created before anything else (`bootstrap`), filled with methods by `crate::types::init_all`.
//! Invariant: every builtin payload kind maps to exactly one type here (`Vm::type_of`), and
//! builtin types are never garbage (they are not registered with the collector).

use super::object::{Layout, NativeIter, Obj, ObjKind, TypeObj};
use super::value::{ObjRef, Value};
use crate::types::dict::Dict;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

macro_rules! types_struct {
    ($($field:ident),* $(,)?) => {
        /// Handles to every builtin type.
        pub struct Types {
            $(pub $field: ObjRef,)*
            /// Exception classes by name.
            pub exceptions: HashMap<&'static str, ObjRef>,
        }
    };
}

types_struct!(
    object,
    type_,
    none,
    not_implemented,
    ellipsis,
    int,
    bool_,
    float,
    str_,
    bytes,
    bytearray,
    list,
    tuple,
    dict,
    set,
    frozenset,
    range,
    slice,
    function,
    builtin_function,
    method,
    module,
    cell,
    code,
    property,
    staticmethod,
    classmethod,
    getset,
    generator,
    coroutine,
    async_generator,
    async_generator_asend,
    async_generator_athrow,
    coroutine_wrapper,
    frame,
    super_,
    dict_keys,
    dict_values,
    dict_items,
    list_iterator,
    list_reverseiterator,
    tuple_iterator,
    range_iterator,
    str_iterator,
    bytes_iterator,
    dict_keyiterator,
    dict_valueiterator,
    dict_itemiterator,
    set_iterator,
    enumerate,
    zip,
    map,
    filter,
    callable_iterator,
    seq_iterator,
    base_exception,
);

/// Creates a type object (not yet holding methods).
pub fn make_type(name: &str, base: Option<&ObjRef>, layout: Layout, builtin: bool) -> ObjRef {
    let mut mro = Vec::new();
    if let Some(b) = base {
        mro.push(b.clone());
        if let Some(t) = b.as_type() {
            mro.extend(t.mro.iter().cloned());
        }
    }
    let cls = Rc::new(Obj {
        class: None,
        kind: ObjKind::Type(Box::new(TypeObj {
            name: RefCell::new(name.into()),
            qualname: RefCell::new(name.into()),
            module: RefCell::new(Value::None),
            base: base.cloned(),
            mro,
            dict: RefCell::new(Dict::new()),
            layout,
            builtin,
            dotted: Cell::new(false),
            attr_hint: Cell::new(0),
            hooks: Cell::new(crate::vm::object::HOOKS_UNKNOWN),
            ctor: Default::default(),
            version: Cell::new(crate::vm::type_cache::fresh_type_version()),
            subclasses: Default::default(),
        })),
    });
    if let Some(b) = base {
        crate::vm::type_cache::register_subclass(b, &cls);
    }
    cls
}

impl Types {
    /// Creates every builtin type with its base but no methods.
    pub fn bootstrap() -> Types {
        let object = make_type("object", None, Layout::Object, true);
        let t = |name: &str, layout: Layout| make_type(name, Some(&object), layout, true);
        let int = t("int", Layout::Int);
        let bool_ = make_type("bool", Some(&int), Layout::Opaque, true);
        let base_exception = t("BaseException", Layout::Exception);
        Types {
            type_: t("type", Layout::Opaque),
            none: t("NoneType", Layout::Opaque),
            not_implemented: t("NotImplementedType", Layout::Opaque),
            ellipsis: t("ellipsis", Layout::Opaque),
            bool_,
            float: t("float", Layout::Float),
            str_: t("str", Layout::Str),
            bytes: t("bytes", Layout::Bytes),
            bytearray: t("bytearray", Layout::Opaque),
            list: t("list", Layout::List),
            tuple: t("tuple", Layout::Tuple),
            dict: t("dict", Layout::Dict),
            set: t("set", Layout::Set),
            frozenset: t("frozenset", Layout::FrozenSet),
            range: t("range", Layout::Opaque),
            slice: t("slice", Layout::Opaque),
            function: t("function", Layout::Opaque),
            builtin_function: t("builtin_function_or_method", Layout::Opaque),
            method: t("method", Layout::Opaque),
            module: t("module", Layout::Object),
            cell: t("cell", Layout::Opaque),
            code: t("code", Layout::Opaque),
            property: t("property", Layout::Object),
            staticmethod: t("staticmethod", Layout::Opaque),
            classmethod: t("classmethod", Layout::Opaque),
            getset: t("getset_descriptor", Layout::Opaque),
            generator: t("generator", Layout::Opaque),
            coroutine: t("coroutine", Layout::Opaque),
            async_generator: t("async_generator", Layout::Opaque),
            async_generator_asend: t("async_generator_asend", Layout::Opaque),
            async_generator_athrow: t("async_generator_athrow", Layout::Opaque),
            coroutine_wrapper: t("coroutine_wrapper", Layout::Opaque),
            frame: t("frame", Layout::Opaque),
            super_: t("super", Layout::Opaque),
            dict_keys: t("dict_keys", Layout::Opaque),
            dict_values: t("dict_values", Layout::Opaque),
            dict_items: t("dict_items", Layout::Opaque),
            list_iterator: t("list_iterator", Layout::Opaque),
            list_reverseiterator: t("list_reverseiterator", Layout::Opaque),
            tuple_iterator: t("tuple_iterator", Layout::Opaque),
            range_iterator: t("range_iterator", Layout::Opaque),
            str_iterator: t("str_ascii_iterator", Layout::Opaque),
            bytes_iterator: t("bytes_iterator", Layout::Opaque),
            dict_keyiterator: t("dict_keyiterator", Layout::Opaque),
            dict_valueiterator: t("dict_valueiterator", Layout::Opaque),
            dict_itemiterator: t("dict_itemiterator", Layout::Opaque),
            set_iterator: t("set_iterator", Layout::Opaque),
            enumerate: t("enumerate", Layout::Opaque),
            zip: t("zip", Layout::Opaque),
            map: t("map", Layout::Opaque),
            filter: t("filter", Layout::Opaque),
            callable_iterator: t("callable_iterator", Layout::Opaque),
            seq_iterator: t("iterator", Layout::Opaque),
            int,
            base_exception,
            object,
            exceptions: HashMap::new(),
        }
    }

    /// The builtin type of a payload (for objects whose `class` is None).
    pub fn of_kind(&self, kind: &ObjKind) -> &ObjRef {
        match kind {
            ObjKind::BigInt(_) => &self.int,
            ObjKind::Str(_) => &self.str_,
            ObjKind::Bytes(_) => &self.bytes,
            ObjKind::ByteArray(_) => &self.bytearray,
            ObjKind::Tuple(_) => &self.tuple,
            ObjKind::List(_) => &self.list,
            ObjKind::Dict(_) => &self.dict,
            ObjKind::Set(_) => &self.set,
            ObjKind::FrozenSet(_) => &self.frozenset,
            ObjKind::Range(_) => &self.range,
            ObjKind::Slice(_) => &self.slice,
            ObjKind::Function(_) => &self.function,
            ObjKind::BoundMethod(_) => &self.method,
            ObjKind::Native(_) => &self.builtin_function,
            ObjKind::Type(_) => &self.type_,
            ObjKind::Module(_) => &self.module,
            ObjKind::Cell(_) => &self.cell,
            ObjKind::Code(_) => &self.code,
            ObjKind::Property(_) => &self.property,
            ObjKind::StaticMethod(_) => &self.staticmethod,
            ObjKind::ClassMethod(_) => &self.classmethod,
            ObjKind::GetSet(_) => &self.getset,
            ObjKind::Object(_)
            | ObjKind::Subclass(_)
            | ObjKind::Ext(_)
            | ObjKind::EventWait(_)
            | ObjKind::Future(_) => &self.object,
            ObjKind::Exception(_) => &self.base_exception,
            ObjKind::Generator(g) => match g.kind {
                super::object::GenKind::Generator => &self.generator,
                super::object::GenKind::Coroutine => &self.coroutine,
                super::object::GenKind::AsyncGenerator => &self.async_generator,
            },
            ObjKind::AsyncGenOp(op) if op.throws => &self.async_generator_athrow,
            ObjKind::AsyncGenOp(_) => &self.async_generator_asend,
            ObjKind::CoroWrapper(_) => &self.coroutine_wrapper,
            ObjKind::Iter(it) => match &**it {
                NativeIter::Seq { seq, .. } => match &seq.kind {
                    ObjKind::Tuple(_) => &self.tuple_iterator,
                    _ => &self.list_iterator,
                },
                NativeIter::SeqRev { .. } => &self.list_reverseiterator,
                NativeIter::Range { .. } => &self.range_iterator,
                NativeIter::Str { .. } => &self.str_iterator,
                NativeIter::Bytes { .. } => &self.bytes_iterator,
                NativeIter::Dict { kind, .. } => match kind {
                    super::object::DictViewKind::Keys => &self.dict_keyiterator,
                    super::object::DictViewKind::Values => &self.dict_valueiterator,
                    super::object::DictViewKind::Items => &self.dict_itemiterator,
                },
                NativeIter::Set { .. } => &self.set_iterator,
                NativeIter::Enumerate { .. } => &self.enumerate,
                NativeIter::Zip { .. } => &self.zip,
                NativeIter::Map { .. } => &self.map,
                NativeIter::Filter { .. } => &self.filter,
                NativeIter::GetItem { .. } => &self.seq_iterator,
                NativeIter::Callable { .. } => &self.callable_iterator,
            },
            ObjKind::DictView(v) => match v.1 {
                super::object::DictViewKind::Keys => &self.dict_keys,
                super::object::DictViewKind::Values => &self.dict_values,
                super::object::DictViewKind::Items => &self.dict_items,
            },
            ObjKind::Super(_) => &self.super_,
            ObjKind::NotImplemented => &self.not_implemented,
            ObjKind::Ellipsis => &self.ellipsis,
        }
    }

    /// An exception class by name (panics for a name that was never registered: a bug).
    pub fn exc(&self, name: &str) -> &ObjRef {
        self.exceptions
            .get(name)
            .unwrap_or_else(|| panic!("exception class {name} is registered"))
    }
}

impl super::Vm {
    /// The type of any value.
    #[inline]
    pub fn type_of<'a>(&'a self, v: &'a Value) -> &'a ObjRef {
        match v {
            Value::Int(_) => &self.types.int,
            Value::Float(_) => &self.types.float,
            Value::Bool(_) => &self.types.bool_,
            Value::None => &self.types.none,
            Value::Null => &self.types.none,
            Value::Obj(o) => match &o.class {
                Some(c) => c,
                None => self.types.of_kind(&o.kind),
            },
        }
    }

    /// The `__name__` of a value's type, for error messages.
    pub fn type_name(&self, v: &Value) -> String {
        let t = self.type_of(v);
        match t.as_type() {
            Some(t) => t.tp_name(),
            None => "object".into(),
        }
    }
}
