//! reception (skeleton; filled in by its issue).
