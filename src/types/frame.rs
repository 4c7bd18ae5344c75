//! Frame objects as scripts see them (`task.get_stack()`, `cr_frame`, `gi_frame`): a
//! snapshot of a suspended frame's code, line and globals. The VM's own frames are plain
//! Rust values, so a snapshot does not follow later execution.

use crate::compile::code::Code;
use crate::vm::frame::Frame;
use crate::vm::object::{Args, ExtObject, ObjKind};
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyResult, Vm};
use std::rc::Rc;

/// The payload of a `frame` object.
pub struct FrameSnapshot {
    pub code: Rc<Code>,
    pub lineno: usize,
    pub lasti: u32,
    pub globals: ObjRef,
}

impl ExtObject for FrameSnapshot {
    fn type_name(&self) -> &str {
        "frame"
    }
    fn trace(&self, f: &mut dyn FnMut(&Value)) {
        f(&Value::Obj(self.globals.clone()));
    }
    fn clear(&self) {}
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

fn snapshot_of(v: &Value) -> Option<&FrameSnapshot> {
    match v.kind()? {
        ObjKind::Ext(e) => e.as_any().downcast_ref::<FrameSnapshot>(),
        _ => None,
    }
}

impl Vm {
    /// A `frame` object describing `frame` as it is now.
    pub fn frame_snapshot(&mut self, frame: &Frame) -> Value {
        let snap = FrameSnapshot {
            code: frame.code.clone(),
            // A frame that has not started sits at its `def` line, as in CPython.
            lineno: if frame.ip == 0 {
                frame.code.first_line as usize
            } else {
                frame.code.line_of(frame.lasti())
            },
            lasti: frame.lasti(),
            globals: frame.globals.clone(),
        };
        let cls = self.types.frame.clone();
        Value::Obj(self.alloc_instance(cls, ObjKind::Ext(Box::new(snap))))
    }
}

fn f_code(vm: &mut Vm, v: &Value) -> PyResult {
    let code = snapshot_of(v).expect("a frame").code.clone();
    Ok(Value::Obj(vm.alloc(ObjKind::Code(code))))
}

fn f_lineno(_vm: &mut Vm, v: &Value) -> PyResult {
    Ok(Value::Int(snapshot_of(v).expect("a frame").lineno as i64))
}

fn f_lasti(_vm: &mut Vm, v: &Value) -> PyResult {
    Ok(Value::Int(
        2 * snapshot_of(v).expect("a frame").lasti as i64,
    ))
}

fn f_globals(_vm: &mut Vm, v: &Value) -> PyResult {
    Ok(Value::Obj(snapshot_of(v).expect("a frame").globals.clone()))
}

fn f_back(_vm: &mut Vm, _v: &Value) -> PyResult {
    Ok(Value::None)
}

fn repr(vm: &mut Vm, args: Args) -> PyResult {
    let this = &args.pos[0];
    let s = snapshot_of(this).expect("a frame");
    let addr = match this {
        Value::Obj(o) => Rc::as_ptr(o) as usize,
        _ => 0,
    };
    let text = format!(
        "<frame at {addr:#x}, file '{}', line {}, code {}>",
        s.code.file.name, s.lineno, s.code.name
    );
    Ok(vm.new_str(text))
}

/// Installs the `frame` type's attributes.
pub fn init(vm: &mut Vm) {
    let t = vm.types.frame.clone();
    vm.add_getset(&t, "f_code", f_code, None);
    vm.add_getset(&t, "f_lineno", f_lineno, None);
    vm.add_getset(&t, "f_lasti", f_lasti, None);
    vm.add_getset(&t, "f_globals", f_globals, None);
    vm.add_getset(&t, "f_back", f_back, None);
    vm.add_method(&t, "__repr__", repr);
}
