//! Near misses: whether a key the policy does not declare reads as a misspelling of one it does.
//!
//! An undeclared key is taken for a misspelling of a declared field `f` when
//!
//! - the two names are the same once case and the separators `_`, `-` and spaces are
//!   ignored (`courierCompensation`, `Courier-Compensation` for `courier_compensation`); or
//! - `f` has at least 4 characters, and the names (in lower case, `-` and spaces read as
//!   `_`) are at most one edit apart, or two for names of 10 characters or more, an edit
//!   being a character inserted, deleted or replaced, or two neighbours swapped (the optimal
//!   string alignment distance); and no word of `f` (between `_`) is replaced as a whole,
//!   so that `delivered_by` is not a misspelling of `delivered_at`.
//!
//! Names of 3 characters or fewer (`id`, `tax`) are only matched up to case and separators:
//! one edit turns them into other words. Names longer than [`LONGEST`] characters are not
//! compared. Nothing here allocates: this runs for every undeclared key of every document.

/// Longest name compared by edits.
const LONGEST: usize = 64;

/// How far `key` is from the declared `field`, when it reads as a misspelling of it.
pub(super) fn near(key: &str, field: &str) -> Option<usize> {
    let len = field.chars().count();
    let limit = match len {
        0..=3 => 0,
        4..=9 => 1,
        _ => 2,
    };
    if key.chars().count().abs_diff(len) > limit {
        return same_squashed(key, field).then_some(0);
    }
    if same_squashed(key, field) {
        return Some(0);
    }
    if limit == 0 {
        return None;
    }
    let (k, f) = (Folded::new(key)?, Folded::new(field)?);
    let d = distance(k.chars(), f.chars());
    (d <= limit && !word_replaced(k.chars(), f.chars())).then_some(d)
}

fn is_separator(c: char) -> bool {
    matches!(c, '_' | '-' | ' ')
}

/// Equal once case and separators are ignored.
fn same_squashed(a: &str, b: &str) -> bool {
    squashed(a).eq(squashed(b))
}

fn squashed(s: &str) -> impl Iterator<Item = char> + '_ {
    s.chars()
        .filter(|c| !is_separator(*c))
        .flat_map(char::to_lowercase)
}

/// A name in lower case with `-` and spaces read as `_`, on the stack.
struct Folded {
    chars: [char; LONGEST],
    len: usize,
}

impl Folded {
    fn new(s: &str) -> Option<Folded> {
        let mut out = Folded {
            chars: ['\0'; LONGEST],
            len: 0,
        };
        let folded = s
            .chars()
            .map(|c| if is_separator(c) { '_' } else { c })
            .flat_map(char::to_lowercase);
        for c in folded {
            *out.chars.get_mut(out.len)? = c;
            out.len += 1;
        }
        Some(out)
    }

    fn chars(&self) -> &[char] {
        self.chars.get(..self.len).unwrap_or(&[])
    }
}

/// Whether some word of `f` is replaced as a whole in `k` (both split at `_`, same count).
fn word_replaced(k: &[char], f: &[char]) -> bool {
    let words = |s| <[char]>::split(s, |c| *c == '_');
    words(k).count() == words(f).count()
        && words(k)
            .zip(words(f))
            .any(|(a, b)| a != b && distance(a, b) >= a.len().max(b.len()))
}

/// The optimal string alignment distance: insertions, deletions, replacements, and swaps
/// of two neighbours. Both names have at most [`LONGEST`] characters.
fn distance(a: &[char], b: &[char]) -> usize {
    const W: usize = LONGEST + 1;
    let (mut prev2, mut prev, mut row) = ([0usize; W], [0usize; W], [0usize; W]);
    for (j, cell) in prev.iter_mut().enumerate() {
        *cell = j;
    }
    for (i, &ca) in a.iter().enumerate() {
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            let mut best = (prev[j + 1] + 1).min(row[j] + 1).min(prev[j] + cost);
            let swapped = j > 0 && i > 0 && b.get(j - 1) == Some(&ca) && a.get(i - 1) == Some(&cb);
            if swapped {
                best = best.min(prev2[j - 1] + 1);
            }
            row[j + 1] = best;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut row);
    }
    prev[b.len()]
}
