pub mod mt19937;
