pub mod set_table;
