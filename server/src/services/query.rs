//! A `WHERE` clause built from optional filters, with `$n` placeholders
//! numbered as they are added, so list queries never splice input into SQL.

use sqlx::{any::AnyArguments, query::QueryAs, Any};

/// A value bound to a placeholder.
#[derive(Debug, Clone)]
pub enum Arg {
    Int(i64),
    Text(String),
}

/// Conditions joined with `AND`, and their arguments in order.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    clauses: Vec<String>,
    args: Vec<Arg>,
}

impl Filter {
    /// The placeholder the next argument will take.
    pub fn next(&self) -> String {
        format!("${}", self.args.len() + 1)
    }

    /// Adds `clause`, in which each `?` becomes the placeholder of the next
    /// of `args`.
    pub fn and(&mut self, clause: &str, args: impl IntoIterator<Item = Arg>) -> &mut Self {
        let mut out = String::with_capacity(clause.len() + 8);
        let mut args = args.into_iter();
        for c in clause.chars() {
            if c == '?' {
                if let Some(arg) = args.next() {
                    out.push_str(&self.next());
                    self.args.push(arg);
                    continue;
                }
            }
            out.push(c);
        }
        self.clauses.push(out);
        self
    }

    /// ` WHERE a AND b`, or nothing.
    pub fn sql(&self) -> String {
        if self.clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.clauses.join(" AND "))
        }
    }

    /// Binds the arguments, in order, to `query`.
    pub fn bind<'q, O>(
        &self,
        mut query: QueryAs<'q, Any, O, AnyArguments<'q>>,
    ) -> QueryAs<'q, Any, O, AnyArguments<'q>> {
        for arg in &self.args {
            query = match arg {
                Arg::Int(n) => query.bind(*n),
                Arg::Text(s) => query.bind(s.clone()),
            };
        }
        query
    }
}

/// `'a', 'b'` for an `IN (…)` list of our own constant names (never input).
pub fn names<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    items
        .into_iter()
        .map(|s| format!("'{s}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_in_order() {
        let mut f = Filter::default();
        assert_eq!(f.sql(), "");
        f.and("c.unit_id = ?", [Arg::Int(3)])
            .and("c.status IN ('referred')", [])
            .and(
                "c.created_at >= ? AND c.created_at < ?",
                [Arg::Int(1), Arg::Int(2)],
            );
        assert_eq!(
            f.sql(),
            " WHERE c.unit_id = $1 AND c.status IN ('referred') AND c.created_at >= $2 AND c.created_at < $3"
        );
        assert_eq!(f.next(), "$4");
    }
}
