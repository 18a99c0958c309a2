//! A subset of QQL (Qualys Query Language), enough to filter the simulator's patch catalog
//! and PM assets the way the real PM API does. Pure: parse once, then evaluate against any
//! [`Record`]. See "Patch catalog and assets" in `docs/simulator.md`.
//!
//! Grammar (keywords `and`, `or`, `not` in any case; `not` binds tightest, then `and`, then
//! `or`; parentheses group):
//!
//! ```text
//! expr    := and ("or" and)*
//! and     := unary ("and" unary)*
//! unary   := "not" unary | "(" expr ")" | term
//! term    := FIELD ":" value | FIELD ":" "[" value ("," value)* "]"
//!          | FIELD ":" "[" value ".." value "]" | FIELD [":"] (">"|">="|"<"|"<=") value
//! value   := WORD | `backticked` | "double quoted" | 'single quoted'
//! ```
//!
//! Matching: text is compared case-insensitively and whole (`vendor:microsoft` matches
//! `Microsoft`, not `Microsoft Corporation`); `*` in an unquoted value is a wildcard
//! (`name:web-*`). Numbers and dates compare numerically; dates are epoch milliseconds in
//! the records and `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM:SS[.fff][Z]`, epoch milliseconds or
//! `now`, `now-30d` (units `s m h d w M y`; `M` = 30 days, `y` = 365 days) in queries; a
//! bare day means the whole day (`publishedDate:2024-01-09`, `publishedDate>2024-01-09` is
//! from the next day on). A list-valued field (`cve`, `tags.name`) matches when any element
//! does; a missing or null field matches no term (so `not isSuperseded:true` matches null).
//! Errors carry a 0-based character position.

use std::borrow::Cow;
use std::fmt;

/// How a field's values are compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Text,
    Number,
    Bool,
    /// Epoch milliseconds.
    Date,
}

impl Kind {
    fn describe(self) -> &'static str {
        match self {
            Kind::Text => "text",
            Kind::Number => "a number",
            Kind::Bool => "a boolean",
            Kind::Date => "a date",
        }
    }
}

/// One field a query may name. `target` is what [`Record::values`] is asked for (an alias
/// such as `lastModified` targets `modifiedDate`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct FieldSpec {
    pub name: &'static str,
    pub target: &'static str,
    pub kind: Kind,
}

impl FieldSpec {
    pub(crate) const fn new(name: &'static str, kind: Kind) -> FieldSpec {
        FieldSpec {
            name,
            target: name,
            kind,
        }
    }
    pub(crate) const fn alias(name: &'static str, target: &'static str, kind: Kind) -> FieldSpec {
        FieldSpec { name, target, kind }
    }
}

/// One value of a field in a record.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Scalar<'a> {
    Text(Cow<'a, str>),
    Number(f64),
    Bool(bool),
}

/// Something a query is evaluated against.
pub(crate) trait Record {
    /// The values of `field` (a [`FieldSpec::target`]); empty when missing or null.
    fn values(&self, field: &str) -> Vec<Scalar<'_>>;
}

/// A parse error: `message` is complete and names the position (0-based, in characters).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct QqlError {
    pub position: usize,
    pub message: String,
}

impl fmt::Display for QqlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for QqlError {}

fn syntax(position: usize, what: impl fmt::Display) -> QqlError {
    QqlError {
        position,
        message: format!("QQL syntax error at position {position}: {what}"),
    }
}

/// A parsed query.
#[derive(Clone, Debug)]
pub(crate) struct Query {
    expr: Option<Expr>,
}

impl Query {
    /// Parses `text` against the fields of `schema`; `now_ms` resolves `now`. An empty or
    /// blank query matches everything.
    pub(crate) fn parse(text: &str, schema: &[FieldSpec], now_ms: i64) -> Result<Query, QqlError> {
        let length = text.chars().count();
        if length > MAX_LENGTH {
            return Err(syntax(
                MAX_LENGTH,
                format!("the query is {length} characters long, more than {MAX_LENGTH}"),
            ));
        }
        let tokens = tokenize(text)?;
        if tokens.len() == 1 {
            return Ok(Query { expr: None });
        }
        let mut p = Parser {
            tokens,
            at: 0,
            schema,
            now_ms,
            depth: 0,
        };
        let expr = p.or()?;
        let t = p.peek();
        if t.tok != Tok::End {
            return Err(syntax(
                t.pos,
                format!(
                    "unexpected {}: expected 'and', 'or' or the end of the query",
                    t.tok.describe()
                ),
            ));
        }
        Ok(Query { expr: Some(expr) })
    }

    /// True for an empty query.
    pub(crate) fn is_empty(&self) -> bool {
        self.expr.is_none()
    }

    pub(crate) fn matches(&self, record: &dyn Record) -> bool {
        self.expr.as_ref().is_none_or(|e| e.eval(record))
    }
}

/// `and` / `or` chains are flat lists (a long chain nests nothing); `not` and parentheses
/// nest at most [`MAX_DEPTH`] deep, so parsing, evaluating and dropping never recurse far.
#[derive(Clone, Debug)]
enum Expr {
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
    Term {
        target: &'static str,
        any_of: Vec<Matcher>,
    },
}

impl Expr {
    fn eval(&self, record: &dyn Record) -> bool {
        match self {
            Expr::And(items) => items.iter().all(|e| e.eval(record)),
            Expr::Or(items) => items.iter().any(|e| e.eval(record)),
            Expr::Not(a) => !a.eval(record),
            Expr::Term { target, any_of } => record
                .values(target)
                .iter()
                .any(|v| any_of.iter().any(|m| m.matches(v))),
        }
    }
}

#[derive(Clone, Debug)]
enum Matcher {
    /// Lowercased; `*` is a wildcard when `glob`.
    Text {
        lower: String,
        glob: bool,
    },
    Bool(bool),
    /// Numbers and dates: `lo <= v` (or `<`) and `v <= hi` (or `<`).
    Range {
        lo: Option<(f64, bool)>,
        hi: Option<(f64, bool)>,
    },
}

fn as_number(v: &Scalar<'_>) -> Option<f64> {
    match v {
        Scalar::Number(n) => Some(*n),
        Scalar::Text(t) => t.trim().parse().ok(),
        Scalar::Bool(_) => None,
    }
}

impl Matcher {
    fn matches(&self, v: &Scalar<'_>) -> bool {
        match self {
            Matcher::Text { lower, glob } => {
                let text: Cow<'_, str> = match v {
                    Scalar::Text(t) => Cow::Borrowed(t.as_ref()),
                    Scalar::Number(n) => Cow::Owned(format_number(*n)),
                    Scalar::Bool(b) => Cow::Owned(b.to_string()),
                };
                let text = text.to_lowercase();
                if *glob {
                    glob_match(lower, &text)
                } else {
                    *lower == text
                }
            }
            Matcher::Bool(want) => match v {
                Scalar::Bool(b) => b == want,
                Scalar::Text(t) => t.eq_ignore_ascii_case(if *want { "true" } else { "false" }),
                Scalar::Number(_) => false,
            },
            Matcher::Range { lo, hi } => {
                let Some(n) = as_number(v) else {
                    return false;
                };
                lo.is_none_or(|(l, incl)| if incl { n >= l } else { n > l })
                    && hi.is_none_or(|(h, incl)| if incl { n <= h } else { n < h })
            }
        }
    }
}

fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

/// `pattern` with `*` wildcards against `text` (both lowercased).
fn glob_match(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if parts.len() == 1 {
        return pattern == text;
    }
    if !text.starts_with(first) || text.len() < first.len() + last.len() || !text.ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(i) => rest = &rest[i + mid.len()..],
            None => return false,
        }
    }
    true
}

// ---------- tokens ----------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cmp {
    Gt,
    Ge,
    Lt,
    Le,
}

impl Cmp {
    fn text(self) -> &'static str {
        match self {
            Cmp::Gt => ">",
            Cmp::Ge => ">=",
            Cmp::Lt => "<",
            Cmp::Le => "<=",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Colon,
    DotDot,
    Op(Cmp),
    Word(String),
    Quoted(String),
    End,
}

impl Tok {
    fn describe(&self) -> String {
        match self {
            Tok::LParen => "'('".into(),
            Tok::RParen => "')'".into(),
            Tok::LBracket => "'['".into(),
            Tok::RBracket => "']'".into(),
            Tok::Comma => "','".into(),
            Tok::Colon => "':'".into(),
            Tok::DotDot => "'..'".into(),
            Tok::Op(c) => format!("'{}'", c.text()),
            Tok::Word(w) => format!("'{w}'"),
            Tok::Quoted(q) => format!("quoted value {q:?}"),
            Tok::End => "the end of the query".into(),
        }
    }
    fn is_keyword(&self, k: &str) -> bool {
        matches!(self, Tok::Word(w) if w.eq_ignore_ascii_case(k))
    }
}

#[derive(Clone, Debug)]
struct Token {
    tok: Tok,
    pos: usize,
}

fn tokenize(text: &str) -> Result<Vec<Token>, QqlError> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let pos = i;
        let simple = match c {
            '(' => Some(Tok::LParen),
            ')' => Some(Tok::RParen),
            '[' => Some(Tok::LBracket),
            ']' => Some(Tok::RBracket),
            ',' => Some(Tok::Comma),
            ':' => Some(Tok::Colon),
            _ => None,
        };
        if c.is_whitespace() {
            i += 1;
        } else if let Some(tok) = simple {
            out.push(Token { tok, pos });
            i += 1;
        } else if c == '>' || c == '<' {
            let eq = chars.get(i + 1) == Some(&'=');
            let cmp = match (c, eq) {
                ('>', false) => Cmp::Gt,
                ('>', true) => Cmp::Ge,
                ('<', false) => Cmp::Lt,
                _ => Cmp::Le,
            };
            out.push(Token {
                tok: Tok::Op(cmp),
                pos,
            });
            i += if eq { 2 } else { 1 };
        } else if c == '=' {
            return Err(syntax(pos, "unexpected '=': QQL uses field:value"));
        } else if c == '.' && chars.get(i + 1) == Some(&'.') {
            out.push(Token {
                tok: Tok::DotDot,
                pos,
            });
            i += 2;
        } else if c == '`' || c == '"' || c == '\'' {
            let (value, closing) = quoted_value(&chars, i)?;
            out.push(Token {
                tok: Tok::Quoted(value),
                pos,
            });
            i = closing + 1;
        } else {
            let j = word_end(&chars, i);
            out.push(Token {
                tok: Tok::Word(chars[i..j].iter().collect()),
                pos,
            });
            i = j;
        }
    }
    out.push(Token {
        tok: Tok::End,
        pos: chars.len(),
    });
    Ok(out)
}

/// The text of the value quoted from `chars[open]` (backslash escapes except in backticks)
/// and the index of its closing quote.
fn quoted_value(chars: &[char], open: usize) -> Result<(String, usize), QqlError> {
    let c = chars[open];
    let mut value = String::new();
    let mut j = open + 1;
    loop {
        match chars.get(j) {
            None => {
                return Err(syntax(
                    open,
                    format!("unterminated quoted value (no closing {c})"),
                ))
            }
            Some('\\') if c != '`' && chars.get(j + 1).is_some() => {
                value.push(chars[j + 1]);
                j += 2;
            }
            Some(&q) if q == c => return Ok((value, j)),
            Some(&other) => {
                value.push(other);
                j += 1;
            }
        }
    }
}

/// Where the bare word starting at `start` ends: at whitespace, punctuation or `..`.
fn word_end(chars: &[char], start: usize) -> usize {
    let mut j = start;
    while j < chars.len() {
        let d = chars[j];
        if d.is_whitespace()
            || "()[],:<>=`\"'".contains(d)
            || (d == '.' && chars.get(j + 1) == Some(&'.'))
        {
            break;
        }
        j += 1;
    }
    j
}

// ---------- parser ----------

struct Parser<'s> {
    tokens: Vec<Token>,
    at: usize,
    schema: &'s [FieldSpec],
    now_ms: i64,
    /// Open `not`s and parentheses.
    depth: usize,
}

/// How deep `not` and parentheses may nest.
pub(crate) const MAX_DEPTH: usize = 64;

/// The longest query accepted, in characters.
pub(crate) const MAX_LENGTH: usize = 32_768;

/// A value as written: its text, whether it was quoted, and where.
struct Literal {
    text: String,
    quoted: bool,
    pos: usize,
}

impl Parser<'_> {
    fn peek(&self) -> &Token {
        &self.tokens[self.at.min(self.tokens.len() - 1)]
    }
    fn next(&mut self) -> Token {
        let t = self.peek().clone();
        if self.at < self.tokens.len() - 1 {
            self.at += 1;
        }
        t
    }

    fn or(&mut self) -> Result<Expr, QqlError> {
        let mut items = vec![self.and()?];
        while self.peek().tok.is_keyword("or") {
            self.next();
            items.push(self.and()?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Expr::Or(items)
        })
    }

    fn and(&mut self) -> Result<Expr, QqlError> {
        let mut items = vec![self.unary()?];
        while self.peek().tok.is_keyword("and") {
            self.next();
            items.push(self.unary()?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Expr::And(items)
        })
    }

    /// Enters a `not` or a parenthesis at `pos`, refusing to nest past [`MAX_DEPTH`].
    fn enter(&mut self, pos: usize) -> Result<(), QqlError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(syntax(
                pos,
                format!("parentheses and 'not' nest deeper than {MAX_DEPTH} levels"),
            ));
        }
        Ok(())
    }

    fn unary(&mut self) -> Result<Expr, QqlError> {
        let t = self.next();
        match t.tok {
            Tok::Word(ref w) if w.eq_ignore_ascii_case("not") => {
                self.enter(t.pos)?;
                let inner = self.unary()?;
                self.depth -= 1;
                Ok(Expr::Not(Box::new(inner)))
            }
            Tok::LParen => {
                self.enter(t.pos)?;
                let inner = self.or()?;
                self.depth -= 1;
                let close = self.next();
                if close.tok != Tok::RParen {
                    return Err(syntax(
                        close.pos,
                        format!(
                            "expected ')' to close the '(' at position {}, found {}",
                            t.pos,
                            close.tok.describe()
                        ),
                    ));
                }
                Ok(inner)
            }
            Tok::Word(w) if !w.eq_ignore_ascii_case("and") && !w.eq_ignore_ascii_case("or") => {
                self.term(w, t.pos)
            }
            other => Err(syntax(
                t.pos,
                format!("expected a field name, found {}", other.describe()),
            )),
        }
    }

    fn term(&mut self, name: String, pos: usize) -> Result<Expr, QqlError> {
        let Some(spec) = self.schema.iter().find(|f| f.name == name).copied() else {
            let hint = suggestion(&name, self.schema)
                .map(|s| format!(" (did you mean '{s}'?)"))
                .unwrap_or_default();
            return Err(QqlError {
                position: pos,
                message: format!("unknown field '{name}' at position {pos}{hint}"),
            });
        };
        let after = self.next();
        let op = match after.tok {
            Tok::Colon => match self.peek().tok {
                Tok::Op(c) => {
                    self.next();
                    Some(c)
                }
                _ => None,
            },
            Tok::Op(c) => Some(c),
            other => {
                return Err(syntax(
                    after.pos,
                    format!(
                        "expected ':' or a comparison after field '{name}', found {}",
                        other.describe()
                    ),
                ))
            }
        };
        let after_what = match op {
            Some(c) => c.text(),
            None => ":",
        };
        let any_of = if op.is_none() && self.peek().tok == Tok::LBracket {
            self.next();
            self.list(&spec)?
        } else {
            let lit = self.literal(after_what)?;
            match op {
                Some(c) => vec![self.compare(&spec, c, &lit)?],
                None => vec![self.equal(&spec, &lit)?],
            }
        };
        Ok(Expr::Term {
            target: spec.target,
            any_of,
        })
    }

    fn literal(&mut self, after: &str) -> Result<Literal, QqlError> {
        let t = self.next();
        match t.tok {
            Tok::Word(w) => Ok(Literal {
                text: w,
                quoted: false,
                pos: t.pos,
            }),
            Tok::Quoted(q) => Ok(Literal {
                text: q,
                quoted: true,
                pos: t.pos,
            }),
            other => Err(syntax(
                t.pos,
                format!(
                    "expected a value after '{after}', found {}",
                    other.describe()
                ),
            )),
        }
    }

    fn list(&mut self, spec: &FieldSpec) -> Result<Vec<Matcher>, QqlError> {
        let first = self.literal("[")?;
        if self.peek().tok == Tok::DotDot {
            self.next();
            let second = self.literal("..")?;
            let close = self.next();
            if close.tok != Tok::RBracket {
                return Err(syntax(
                    close.pos,
                    format!(
                        "expected ']' after the range, found {}",
                        close.tok.describe()
                    ),
                ));
            }
            let lo = self.compare(spec, Cmp::Ge, &first)?;
            let hi = self.compare(spec, Cmp::Le, &second)?;
            return match (lo, hi) {
                (Matcher::Range { lo, .. }, Matcher::Range { hi, .. }) => {
                    Ok(vec![Matcher::Range { lo, hi }])
                }
                _ => Err(syntax(first.pos, "a range needs numbers or dates")),
            };
        }
        let mut out = vec![self.equal(spec, &first)?];
        loop {
            let t = self.next();
            match t.tok {
                Tok::RBracket => return Ok(out),
                Tok::Comma => {
                    let lit = self.literal(",")?;
                    out.push(self.equal(spec, &lit)?);
                }
                other => {
                    return Err(syntax(
                        t.pos,
                        format!(
                            "expected ',' or ']' in the list, found {}",
                            other.describe()
                        ),
                    ))
                }
            }
        }
    }

    fn bad_value(&self, spec: &FieldSpec, lit: &Literal, why: &str) -> QqlError {
        QqlError {
            position: lit.pos,
            message: format!(
                "invalid value '{}' for field '{}' at position {}: {why}",
                lit.text, spec.name, lit.pos
            ),
        }
    }

    fn equal(&self, spec: &FieldSpec, lit: &Literal) -> Result<Matcher, QqlError> {
        match spec.kind {
            Kind::Text => Ok(Matcher::Text {
                lower: lit.text.to_lowercase(),
                glob: !lit.quoted && lit.text.contains('*'),
            }),
            Kind::Bool => match lit.text.to_ascii_lowercase().as_str() {
                "true" => Ok(Matcher::Bool(true)),
                "false" => Ok(Matcher::Bool(false)),
                _ => Err(self.bad_value(spec, lit, "expected true or false")),
            },
            Kind::Number => {
                let n = self.number(spec, lit)?;
                Ok(Matcher::Range {
                    lo: Some((n, true)),
                    hi: Some((n, true)),
                })
            }
            Kind::Date => {
                let (start, end) = self.date(spec, lit)?;
                Ok(Matcher::Range {
                    lo: Some((start, true)),
                    hi: Some((end, end == start)),
                })
            }
        }
    }

    fn compare(&self, spec: &FieldSpec, cmp: Cmp, lit: &Literal) -> Result<Matcher, QqlError> {
        let (start, end) = match spec.kind {
            Kind::Number => {
                let n = self.number(spec, lit)?;
                (n, n)
            }
            Kind::Date => self.date(spec, lit)?,
            other => {
                return Err(QqlError {
                    position: lit.pos,
                    message: format!(
                        "operator '{}' at position {} needs a number or date field; '{}' is {}",
                        cmp.text(),
                        lit.pos,
                        spec.name,
                        other.describe()
                    ),
                })
            }
        };
        // A whole day (end > start, end exclusive): `>d` starts the next day, `<=d` ends it.
        let day = end > start;
        Ok(match cmp {
            Cmp::Gt if day => Matcher::Range {
                lo: Some((end, true)),
                hi: None,
            },
            Cmp::Gt => Matcher::Range {
                lo: Some((start, false)),
                hi: None,
            },
            Cmp::Ge => Matcher::Range {
                lo: Some((start, true)),
                hi: None,
            },
            Cmp::Lt => Matcher::Range {
                lo: None,
                hi: Some((start, false)),
            },
            Cmp::Le if day => Matcher::Range {
                lo: None,
                hi: Some((end, false)),
            },
            Cmp::Le => Matcher::Range {
                lo: None,
                hi: Some((start, true)),
            },
        })
    }

    fn number(&self, spec: &FieldSpec, lit: &Literal) -> Result<f64, QqlError> {
        lit.text
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            .ok_or_else(|| self.bad_value(spec, lit, "expected a number"))
    }

    /// A date as `(start, end)` in epoch ms: `end > start` (exclusive) for a whole day.
    fn date(&self, spec: &FieldSpec, lit: &Literal) -> Result<(f64, f64), QqlError> {
        parse_date(&lit.text, self.now_ms).ok_or_else(|| {
            self.bad_value(
                spec,
                lit,
                "expected a date (YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ, epoch milliseconds, now, now-30d)",
            )
        })
    }
}

const DAY_MS: i64 = 86_400_000;

fn parse_date(text: &str, now_ms: i64) -> Option<(f64, f64)> {
    let t = text.trim();
    if let Some(rest) = t.strip_prefix("now").or_else(|| t.strip_prefix("NOW")) {
        if rest.is_empty() {
            return Some((now_ms as f64, now_ms as f64));
        }
        let (sign, rest) = match rest.as_bytes()[0] {
            b'-' => (-1i64, &rest[1..]),
            b'+' => (1, &rest[1..]),
            _ => return None,
        };
        let unit = rest.chars().last()?;
        let n: i64 = rest[..rest.len() - unit.len_utf8()].parse().ok()?;
        let ms = match unit {
            's' => 1_000,
            'm' => 60_000,
            'h' => 3_600_000,
            'd' => DAY_MS,
            'w' => 7 * DAY_MS,
            'M' => 30 * DAY_MS,
            'y' => 365 * DAY_MS,
            _ => return None,
        };
        let at = now_ms.checked_add(sign.checked_mul(n.checked_mul(ms)?)?)?;
        return Some((at as f64, at as f64));
    }
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
        let ms: i64 = t.parse().ok()?;
        return Some((ms as f64, ms as f64));
    }
    let day = time::macros::format_description!("[year]-[month]-[day]");
    if let Ok(d) = time::Date::parse(t, &day) {
        let start = d.midnight().assume_utc().unix_timestamp() * 1000;
        return Some((start as f64, (start + DAY_MS) as f64));
    }
    if let Ok(dt) = time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339) {
        let ms = (dt.unix_timestamp_nanos() / 1_000_000) as i64;
        return Some((ms as f64, ms as f64));
    }
    let local = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second][optional [.[subsecond]]]"
    );
    if let Ok(dt) = time::PrimitiveDateTime::parse(t, &local) {
        let ms = (dt.assume_utc().unix_timestamp_nanos() / 1_000_000) as i64;
        return Some((ms as f64, ms as f64));
    }
    None
}

/// The known field closest to `name` (edit distance at most 2, or a case-only difference).
fn suggestion(name: &str, schema: &[FieldSpec]) -> Option<&'static str> {
    let lower = name.to_lowercase();
    schema
        .iter()
        .map(|f| (levenshtein(&lower, &f.name.to_lowercase()), f.name))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, n)| n)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    const SCHEMA: &[FieldSpec] = &[
        FieldSpec::new("vendor", Kind::Text),
        FieldSpec::new("title", Kind::Text),
        FieldSpec::new("vendorSeverity", Kind::Text),
        FieldSpec::new("isSuperseded", Kind::Bool),
        FieldSpec::new("isSecurity", Kind::Bool),
        FieldSpec::new("qid", Kind::Number),
        FieldSpec::new("cve", Kind::Text),
        FieldSpec::new("publishedDate", Kind::Date),
        FieldSpec::alias("lastModified", "modifiedDate", Kind::Date),
    ];

    /// A record: field -> values.
    struct R(HashMap<&'static str, Vec<Scalar<'static>>>);

    impl Record for R {
        fn values(&self, field: &str) -> Vec<Scalar<'_>> {
            self.0.get(field).cloned().unwrap_or_default()
        }
    }

    fn text(s: &'static str) -> Scalar<'static> {
        Scalar::Text(Cow::Borrowed(s))
    }

    fn ms(day: &str) -> f64 {
        parse_date(day, 0).unwrap().0
    }

    fn chrome() -> R {
        R(HashMap::from([
            ("vendor", vec![text("Google")]),
            ("title", vec![text("Google Chrome 120.0.6099.110")]),
            ("vendorSeverity", vec![text("Critical")]),
            ("isSuperseded", vec![Scalar::Bool(false)]),
            ("isSecurity", vec![Scalar::Bool(true)]),
            ("qid", vec![text("376543"), Scalar::Number(376544.0)]),
            ("cve", vec![text("CVE-2023-6702"), text("CVE-2023-6703")]),
            (
                "publishedDate",
                vec![Scalar::Number(ms("2024-01-09") + 3_600_000.0)],
            ),
            ("modifiedDate", vec![Scalar::Number(ms("2024-02-01"))]),
        ]))
    }

    fn linux() -> R {
        R(HashMap::from([
            ("vendor", vec![text("Red Hat")]),
            (
                "title",
                vec![text("RHSA-2024:1234: openssl security update")],
            ),
            ("vendorSeverity", vec![text("Important")]),
            // isSuperseded is null on Linux
            ("isSecurity", vec![Scalar::Bool(true)]),
            ("qid", vec![]),
            ("cve", vec![]),
            ("publishedDate", vec![Scalar::Number(ms("2023-05-01"))]),
        ]))
    }

    fn check(q: &str, r: &R) -> bool {
        Query::parse(q, SCHEMA, ms("2024-03-01") as i64)
            .unwrap_or_else(|e| panic!("{q}: {e}"))
            .matches(r)
    }

    fn error(q: &str) -> QqlError {
        Query::parse(q, SCHEMA, 0).expect_err(q)
    }

    #[test]
    fn empty_query_matches_everything() {
        assert!(check("", &chrome()));
        assert!(check("   ", &linux()));
    }

    #[test]
    fn field_value_forms_and_case() {
        let c = chrome();
        assert!(check("vendor:Google", &c));
        assert!(check("vendor:google", &c));
        assert!(check("vendor:`Google`", &c));
        assert!(check("vendor:\"GOOGLE\"", &c));
        assert!(check("vendor:'Google'", &c));
        assert!(!check("vendor:Goo", &c), "whole-value match, not substring");
        assert!(check("title:`Google Chrome 120.0.6099.110`", &c));
        assert!(check("title:Google*", &c));
        assert!(check("title:*6099*", &c));
        assert!(!check("title:`Google*`", &c), "quoted * is literal");
        assert!(check("vendorSeverity:[Important, Critical]", &c));
        assert!(!check("vendorSeverity:[Important,Moderate]", &c));
    }

    #[test]
    fn booleans_and_null() {
        let (c, l) = (chrome(), linux());
        assert!(check("isSuperseded:false", &c));
        assert!(check("isSuperseded:FALSE and isSecurity:true", &c));
        assert!(!check("isSuperseded:false", &l), "null is not false");
        assert!(!check("isSuperseded:true", &l));
        assert!(check("not isSuperseded:true", &l));
    }

    #[test]
    fn keywords_precedence_parentheses() {
        let (c, l) = (chrome(), linux());
        assert!(check("vendor:Google AND isSecurity:true", &c));
        assert!(check("vendor:Nobody or vendor:Google", &c));
        assert!(check("NOT vendor:Nobody", &c));
        // and binds tighter than or
        assert!(check(
            "vendor:Google or vendor:Nobody and isSecurity:false",
            &c
        ));
        assert!(!check(
            "(vendor:Google or vendor:Nobody) and isSecurity:false",
            &c
        ));
        assert!(check(
            "vendorSeverity:`Critical` and isSuperseded:false",
            &c
        ));
        assert!(!check(
            "vendorSeverity:`Critical` and isSuperseded:false",
            &l
        ));
        assert!(check("not (vendor:Google and isSecurity:false)", &c));
        assert!(check("not not vendor:Google", &c));
        assert!(check("vendor:[`Red Hat`, Debian]", &l));
    }

    #[test]
    fn list_fields_match_any_element() {
        let c = chrome();
        assert!(check("cve:CVE-2023-6703", &c));
        assert!(check("cve:`cve-2023-6702`", &c));
        assert!(!check("cve:CVE-2023-0001", &c));
        assert!(check("qid:376543", &c), "a string qid compares as a number");
        assert!(check("qid:376544", &c));
        assert!(check("qid:[1, 376544]", &c));
        assert!(!check("qid:1", &c));
        assert!(
            !check("cve:CVE-2023-6703", &linux()),
            "empty list matches nothing"
        );
    }

    #[test]
    fn comparisons_on_numbers() {
        let c = chrome();
        assert!(check("qid>376543", &c));
        assert!(!check("qid>376544", &c));
        assert!(check("qid>=376544", &c));
        assert!(check("qid<376544", &c));
        assert!(check("qid<=376543", &c));
        assert!(check("qid:>376543", &c), "documented field:>value form");
        assert!(check("qid:[376000..376543]", &c));
        assert!(!check("qid:[1..2]", &c));
    }

    #[test]
    fn comparisons_on_dates() {
        let c = chrome(); // published 2024-01-09 01:00 UTC, now = 2024-03-01
        assert!(
            check("publishedDate:2024-01-09", &c),
            "a bare day is the whole day"
        );
        assert!(!check("publishedDate:2024-01-10", &c));
        assert!(check("publishedDate>2024-01-08", &c));
        assert!(
            !check("publishedDate>2024-01-09", &c),
            "> a day starts the next day"
        );
        assert!(check("publishedDate>=2024-01-09", &c));
        assert!(check("publishedDate<=2024-01-09", &c));
        assert!(!check("publishedDate<2024-01-09", &c));
        assert!(check("publishedDate:>\"2024-01-09T00:30:00Z\"", &c));
        assert!(!check("publishedDate>`2024-01-09T01:00:00.000Z`", &c));
        assert!(check("publishedDate:[2024-01-01..2024-01-31]", &c));
        assert!(check("publishedDate>now-60d", &c));
        assert!(!check("publishedDate>now-30d", &c));
        assert!(check("publishedDate<now", &c));
        assert!(
            check("lastModified:>2024-01-31", &c),
            "alias of modifiedDate"
        );
        let epoch = (ms("2024-01-09") as i64).to_string();
        assert!(check(&format!("publishedDate>{epoch}"), &c));
    }

    #[test]
    fn unknown_field_names_position_and_suggests() {
        let e = error("vendr:Microsoft");
        assert_eq!(e.position, 0);
        assert_eq!(
            e.message,
            "unknown field 'vendr' at position 0 (did you mean 'vendor'?)"
        );
        let e = error("vendor:Google and colour:red");
        assert_eq!(e.position, 18);
        assert_eq!(e.message, "unknown field 'colour' at position 18");
    }

    #[test]
    fn syntax_errors_name_the_position() {
        let e = error("isSuperseded:false and vendor:");
        assert_eq!(e.position, 30);
        assert_eq!(
            e.message,
            "QQL syntax error at position 30: expected a value after ':', found the end of the query"
        );
        let e = error("vendor:Google vendor:Adobe");
        assert_eq!(e.position, 14);
        assert!(e
            .message
            .starts_with("QQL syntax error at position 14: unexpected 'vendor'"));
        let e = error("(vendor:Google");
        assert_eq!(e.position, 14);
        assert!(e.message.contains("expected ')'"), "{}", e.message);
        let e = error("vendor:`Google");
        assert_eq!(e.position, 7);
        assert!(e.message.contains("unterminated"), "{}", e.message);
        let e = error("vendor=Google");
        assert_eq!(e.position, 6);
        let e = error("vendor Google");
        assert_eq!(e.position, 7);
        assert!(
            e.message.contains("expected ':' or a comparison"),
            "{}",
            e.message
        );
        let e = error("vendorSeverity:[Critical Important]");
        assert_eq!(e.position, 25);
        let e = error("and vendor:Google");
        assert_eq!(e.position, 0);
        assert!(e.message.contains("expected a field name"), "{}", e.message);
        let e = error("vendor:Google and");
        assert_eq!(e.position, 17);
    }

    #[test]
    fn type_errors_name_the_position() {
        let e = error("qid:abc");
        assert_eq!(e.position, 4);
        assert!(e.message.contains("expected a number"), "{}", e.message);
        let e = error("isSecurity:yes");
        assert_eq!(e.position, 11);
        assert!(e.message.contains("true or false"), "{}", e.message);
        let e = error("publishedDate>yesterday");
        assert_eq!(e.position, 14);
        assert!(e.message.contains("expected a date"), "{}", e.message);
        let e = error("vendor>Google");
        assert_eq!(e.position, 7);
        assert!(
            e.message.contains("needs a number or date field"),
            "{}",
            e.message
        );
    }

    #[test]
    fn positions_count_characters_not_bytes() {
        let e = error("title:`é` and nope:1");
        assert_eq!(e.position, 14);
    }

    #[test]
    fn deep_nesting_and_long_chains_are_bounded() {
        let nested = format!(
            "{}vendor:Google{}",
            "(".repeat(MAX_DEPTH),
            ")".repeat(MAX_DEPTH)
        );
        assert!(check(&nested, &chrome()));
        let too_deep = format!("{}vendor:Google{}", "(".repeat(1_000), ")".repeat(1_000));
        let e = error(&too_deep);
        assert_eq!(e.position, MAX_DEPTH);
        assert!(e.message.contains("nest deeper than 64"), "{}", e.message);
        let nots = format!("{}vendor:Google", "not ".repeat(MAX_DEPTH + 1));
        assert!(error(&nots).message.contains("nest deeper"));
        // a long flat chain nests nothing: no stack to overflow when evaluating or dropping
        let chain = vec!["vendor:Nobody"; 1_500].join(" or ") + " or vendor:Google";
        assert!(check(&chain, &chrome()));
        let e = error(&"x".repeat(MAX_LENGTH + 1));
        assert!(e.message.contains("more than 32768"), "{}", e.message);
    }

    #[test]
    fn glob() {
        assert!(glob_match("web-*", "web-01"));
        assert!(glob_match("*-01", "web-01"));
        assert!(glob_match("w*b*1", "web-01"));
        assert!(!glob_match("w*x*1", "web-01"));
        assert!(glob_match("*", ""));
        assert!(!glob_match("ab*ba", "aba"));
    }
}
