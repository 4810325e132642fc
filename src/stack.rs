//! Deep work on a stack of its own: parsing and checking recurse once per nesting level.

use std::sync::atomic::{AtomicUsize, Ordering};

/// The stack for loading one policy. The grammar descends about a dozen rules for each
/// bracket or `if` level, and an unoptimised build takes about half a megabyte of stack
/// for each level; the parser's pre-scan admits 32 bracket levels and 128 `if`/`list`
/// words, so the deepest policy it lets through needs some 80 MiB there. The stack is
/// reserved address space; only what a policy actually uses is ever touched.
pub const STACK_BYTES: usize = 256 << 20;

/// Runs `f` to completion on a thread with [`STACK_BYTES`] of stack.
pub fn deep<T: Send>(f: impl FnOnce() -> T + Send) -> Result<T, String> {
    std::thread::scope(|s| {
        std::thread::Builder::new()
            .name("proviso-policy".into())
            .stack_size(STACK_BYTES)
            .spawn_scoped(s, f)
            .map_err(|e| format!("cannot start a thread to load the policy: {e}"))?
            .join()
            .map_err(|_| "internal error: loading the policy stopped unexpectedly".to_string())
    })
}

/// Runs `f` on every item, each on a thread with [`STACK_BYTES`] of stack, on as many
/// threads at once as there are cores (and items): loading a directory of policies takes
/// the time of its largest files rather than of all of them. The results come back in the
/// order of `items`, whichever thread finished first.
pub fn deep_each<I: Sync, T: Send>(
    items: &[I],
    f: impl Fn(&I) -> T + Sync,
) -> Result<Vec<T>, String> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len());
    if threads <= 1 {
        return deep(|| items.iter().map(&f).collect());
    }
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(i) else { break };
            done.push((i, f(item)));
        }
        done
    };
    let parts = std::thread::scope(|s| {
        let handles = (0..threads)
            .map(|_| {
                std::thread::Builder::new()
                    .name("proviso-policy".into())
                    .stack_size(STACK_BYTES)
                    .spawn_scoped(s, work)
                    .map_err(|e| format!("cannot start a thread to load the policy: {e}"))
            })
            .collect::<Vec<_>>();
        handles
            .into_iter()
            .map(|h| {
                h?.join().map_err(|_| {
                    "internal error: loading the policy stopped unexpectedly".to_string()
                })
            })
            .collect::<Result<Vec<_>, String>>()
    })?;
    let mut all: Vec<(usize, T)> = parts.into_iter().flatten().collect();
    all.sort_by_key(|(i, _)| *i);
    Ok(all.into_iter().map(|(_, t)| t).collect())
}

#[cfg(test)]
mod tests {
    use super::deep_each;

    #[test]
    fn each_item_is_done_once_on_a_policy_thread_and_the_results_keep_the_items_order() {
        let items: Vec<u64> = (0..40).collect();
        let done = deep_each(&items, |&i| {
            // Uneven work, so that threads finish out of order.
            let spin = (0..(40 - i) * 1000).fold(0u64, |a, x| a.wrapping_add(x));
            let name = std::thread::current().name().map(str::to_owned);
            (i * 10, name, spin)
        })
        .unwrap_or_default();
        let order: Vec<u64> = done.iter().map(|(i, _, _)| *i).collect();
        assert_eq!(order, (0..40).map(|i| i * 10).collect::<Vec<_>>());
        assert!(done
            .iter()
            .all(|(_, name, _)| name.as_deref() == Some("proviso-policy")));
        assert_eq!(deep_each(&[] as &[u64], |&i| i), Ok(vec![]));
    }
}
