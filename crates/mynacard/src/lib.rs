//! mynacard (skeleton; filled in by its issue).
