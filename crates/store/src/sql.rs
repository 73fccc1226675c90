//! One statement API over both back-ends: SQLite (the file of one desk, the default) and PostgreSQL (a server
//! shared by several desks, #15).
//!
//! SQL is written once, in SQLite's `?N` parameter form. The PostgreSQL side rewrites a statement once per text
//! (`?N` → `$N`, `group_concat(` → `string_agg(`) and keeps it prepared. The record holds only integers, text and
//! NULL (no BLOB column exists, no REAL either), so a bound value is a [`Val`] and a read column is one too: both
//! back-ends decode through the same `read_*` functions, which is what keeps them in step.
//!
//! Deliberately not here: anything a back-end does on its own (SQLite's pragmas, WAL, backups; PostgreSQL's
//! connection and TLS settings) — see `db.rs` and `pg.rs`.

use std::borrow::Cow;

use crate::error::StoreError;

/// A value bound to a statement or read from a column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Val<'a> {
    Null,
    Int(i64),
    Text(Cow<'a, str>),
}

/// Builds the parameter list of a statement: `p![a, b, c]` borrows each expression as a [`Val`].
macro_rules! p {
    ($($e:expr),* $(,)?) => { [$($crate::sql::ToVal::to_val(&$e)),*] };
}
pub(crate) use p;

/// A Rust value as a statement parameter (borrowed: text is not copied).
pub(crate) trait ToVal {
    fn to_val(&self) -> Val<'_>;
}

macro_rules! int_val {
    ($($t:ty),*) => {$(
        impl ToVal for $t {
            fn to_val(&self) -> Val<'_> {
                Val::Int(i64::try_from(*self).unwrap_or(i64::MAX))
            }
        }
    )*};
}
int_val!(i64, i32, u8, u16, u32, u64, usize);

impl ToVal for bool {
    fn to_val(&self) -> Val<'_> {
        Val::Int(i64::from(*self))
    }
}

impl ToVal for str {
    fn to_val(&self) -> Val<'_> {
        Val::Text(Cow::Borrowed(self))
    }
}

impl ToVal for String {
    fn to_val(&self) -> Val<'_> {
        Val::Text(Cow::Borrowed(self))
    }
}

impl<T: ToVal> ToVal for Option<T> {
    fn to_val(&self) -> Val<'_> {
        self.as_ref().map_or(Val::Null, ToVal::to_val)
    }
}

impl<T: ToVal + ?Sized> ToVal for &T {
    fn to_val(&self) -> Val<'_> {
        (**self).to_val()
    }
}

/// One result row, whichever back-end produced it.
pub(crate) trait DbRow {
    /// Column `i` (0-based).
    fn value(&self, i: usize) -> Result<Val<'_>, StoreError>;
}

/// A column value as a Rust value; a column of another shape is a [`StoreError::BadValue`].
pub(crate) trait FromVal: Sized {
    fn from_val(v: Val<'_>) -> Option<Self>;
}

fn bad(i: usize, v: &Val<'_>) -> StoreError {
    StoreError::BadValue {
        column: "(result column)",
        value: format!("column {i}: {v:?}"),
    }
}

/// Column `i` of `row` as `T`.
pub(crate) fn get<T: FromVal>(row: &dyn DbRow, i: usize) -> Result<T, StoreError> {
    let v = row.value(i)?;
    match T::from_val(v.clone()) {
        Some(t) => Ok(t),
        None => Err(bad(i, &v)),
    }
}

impl FromVal for i64 {
    fn from_val(v: Val<'_>) -> Option<i64> {
        match v {
            Val::Int(i) => Some(i),
            _ => None,
        }
    }
}

impl FromVal for bool {
    fn from_val(v: Val<'_>) -> Option<bool> {
        match v {
            Val::Int(0) => Some(false),
            Val::Int(1) => Some(true),
            _ => None,
        }
    }
}

macro_rules! narrow_int {
    ($($t:ty),*) => {$(
        impl FromVal for $t {
            fn from_val(v: Val<'_>) -> Option<$t> {
                i64::from_val(v).and_then(|i| <$t>::try_from(i).ok())
            }
        }
    )*};
}
narrow_int!(u8, u32);

impl FromVal for String {
    fn from_val(v: Val<'_>) -> Option<String> {
        match v {
            Val::Text(s) => Some(s.into_owned()),
            _ => None,
        }
    }
}

impl<T: FromVal> FromVal for Option<T> {
    fn from_val(v: Val<'_>) -> Option<Option<T>> {
        match v {
            Val::Null => Some(None),
            v => T::from_val(v).map(Some),
        }
    }
}

/// Runs statements: an open connection (each statement its own transaction) or a transaction.
pub(crate) trait Exec {
    /// Calls `each` for every row of `sql`.
    fn each_row(
        &self,
        sql: &str,
        params: &[Val<'_>],
        each: &mut dyn FnMut(&dyn DbRow) -> Result<(), StoreError>,
    ) -> Result<(), StoreError>;

    /// Runs a statement that returns no rows; the number of rows it changed.
    fn exec(&self, sql: &str, params: &[Val<'_>]) -> Result<u64, StoreError>;

    /// Runs an `INSERT` into a table with an `id` key; the new row's id.
    fn insert(&self, sql: &str, params: &[Val<'_>]) -> Result<i64, StoreError>;

    /// Holds `key` until this transaction ends, so two desks deciding the same thing (is this patient new?)
    /// decide one after the other. A SQLite file has one writer at a time already: nothing to do there.
    fn serialize_on(&self, _key: &str) -> Result<(), StoreError> {
        Ok(())
    }

    /// Holds the patients table against other desks' new patients until this transaction ends (an import).
    fn serialize_patients(&self) -> Result<(), StoreError> {
        Ok(())
    }

    /// Every row of `sql`, each read by `read`.
    fn rows<T>(
        &self,
        sql: &str,
        params: &[Val<'_>],
        mut read: impl FnMut(&dyn DbRow) -> Result<T, StoreError>,
    ) -> Result<Vec<T>, StoreError>
    where
        Self: Sized,
    {
        let mut out = Vec::new();
        self.each_row(sql, params, &mut |r| {
            out.push(read(r)?);
            Ok(())
        })?;
        Ok(out)
    }

    /// The first row of `sql` read by `read`, if there is one.
    fn row<T>(
        &self,
        sql: &str,
        params: &[Val<'_>],
        read: impl FnOnce(&dyn DbRow) -> Result<T, StoreError>,
    ) -> Result<Option<T>, StoreError>
    where
        Self: Sized,
    {
        let mut read = Some(read);
        let mut out = None;
        self.each_row(sql, params, &mut |r| {
            if let Some(f) = read.take() {
                out = Some(f(r)?);
            }
            Ok(())
        })?;
        Ok(out)
    }

    /// The first column of the first row, as `T` (e.g. a count).
    fn value<T: FromVal>(&self, sql: &str, params: &[Val<'_>]) -> Result<Option<T>, StoreError>
    where
        Self: Sized,
    {
        self.row(sql, params, |r| get(r, 0))
    }
}

// ---- SQLite ----

impl rusqlite::ToSql for Val<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, Value, ValueRef};
        Ok(match self {
            Val::Null => ToSqlOutput::Owned(Value::Null),
            Val::Int(i) => ToSqlOutput::Borrowed(ValueRef::Integer(*i)),
            Val::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
        })
    }
}

impl DbRow for rusqlite::Row<'_> {
    fn value(&self, i: usize) -> Result<Val<'_>, StoreError> {
        use rusqlite::types::ValueRef;
        Ok(match self.get_ref(i)? {
            ValueRef::Null => Val::Null,
            ValueRef::Integer(n) => Val::Int(n),
            ValueRef::Text(t) => Val::Text(Cow::Borrowed(std::str::from_utf8(t).map_err(|_| {
                StoreError::BadValue {
                    column: "(result column)",
                    value: format!("column {i}: text that is not UTF-8"),
                }
            })?)),
            other => {
                return Err(StoreError::BadValue {
                    column: "(result column)",
                    value: format!("column {i}: {:?}", other.data_type()),
                })
            }
        })
    }
}

impl Exec for rusqlite::Connection {
    fn each_row(
        &self,
        sql: &str,
        params: &[Val<'_>],
        each: &mut dyn FnMut(&dyn DbRow) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let mut stmt = self.prepare_cached(sql)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(params.iter()))?;
        while let Some(row) = rows.next()? {
            each(row)?;
        }
        Ok(())
    }

    fn exec(&self, sql: &str, params: &[Val<'_>]) -> Result<u64, StoreError> {
        let n = self
            .prepare_cached(sql)?
            .execute(rusqlite::params_from_iter(params.iter()))?;
        Ok(u64::try_from(n).unwrap_or(u64::MAX))
    }

    fn insert(&self, sql: &str, params: &[Val<'_>]) -> Result<i64, StoreError> {
        Ok(self
            .prepare_cached(sql)?
            .insert(rusqlite::params_from_iter(params.iter()))?)
    }
}

/// The PostgreSQL form of a statement written for SQLite: `?N` → `$N`, `group_concat(` → `string_agg(`.
/// Statements carry no `?` inside string literals (checked by a test over every statement the store runs).
pub(crate) fn postgres_text(sql: &str) -> String {
    let sql = sql.replace("group_concat(", "string_agg(");
    let mut out = String::with_capacity(sql.len() + 8);
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '?' && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('$');
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_parameters_become_postgres_ones_and_group_concat_string_agg() {
        assert_eq!(
            postgres_text("SELECT group_concat(x, '・') FROM t WHERE a = ?1 AND b = ?12 AND c IS ?2"),
            "SELECT string_agg(x, '・') FROM t WHERE a = $1 AND b = $12 AND c IS $2"
        );
    }

    #[test]
    fn values_convert_both_ways_and_a_wrong_shape_is_refused() {
        assert_eq!(Some(30u8).to_val(), Val::Int(30));
        assert_eq!(None::<u8>.to_val(), Val::Null);
        assert_eq!(true.to_val(), Val::Int(1));
        assert_eq!(Some("あ").to_val(), Val::Text(Cow::Borrowed("あ")));
        assert_eq!(bool::from_val(Val::Int(1)), Some(true));
        assert_eq!(bool::from_val(Val::Int(2)), None);
        assert_eq!(u8::from_val(Val::Int(300)), None);
        assert_eq!(Option::<String>::from_val(Val::Null), Some(None));
        assert_eq!(String::from_val(Val::Int(1)), None);
    }
}
