//! Generates the parser from `grammar/aio.lalrpop` into OUT_DIR. LALRPOP only reruns when the
//! grammar changes.

fn main() {
    println!("cargo:rerun-if-changed=grammar/aio.lalrpop");
    lalrpop::Configuration::new()
        .set_out_dir(std::env::var("OUT_DIR").expect("OUT_DIR is set by cargo"))
        .emit_rerun_directives(false)
        .process_file("grammar/aio.lalrpop")
        .expect("the grammar compiles");
}
