//! Python's `heapq` algorithm over timer handles, compared by deadline only.
//!
//! CPython keeps `loop._scheduled` with `heapq.heappush`/`heappop`, and `TimerHandle` compares
//! by `when` alone, so timers with equal deadlines come out in the order heapq's sift
//! operations leave them — not insertion order. Reproducing the exact algorithm makes callback
//! order match CPython. Invariant: `heap[k].when <= heap[2k+1].when` and `<= heap[2k+2].when`.

use super::handle::HandleInner;
use std::rc::Rc;

#[inline]
fn lt(a: &HandleInner, b: &HandleInner) -> bool {
    a.when < b.when
}

/// `heapq._siftdown`: moves the item at `pos` up towards `start`.
fn sift_down(heap: &mut [Rc<HandleInner>], start: usize, mut pos: usize) {
    let new = heap[pos].clone();
    while pos > start {
        let parent = (pos - 1) >> 1;
        if lt(&new, &heap[parent]) {
            heap[pos] = heap[parent].clone();
            pos = parent;
            continue;
        }
        break;
    }
    heap[pos] = new;
}

/// `heapq._siftup`: moves the smaller child up until a leaf, then sifts the item down.
fn sift_up(heap: &mut [Rc<HandleInner>], mut pos: usize) {
    let end = heap.len();
    let start = pos;
    let new = heap[pos].clone();
    let mut child = 2 * pos + 1;
    while child < end {
        let right = child + 1;
        if right < end && !lt(&heap[child], &heap[right]) {
            child = right;
        }
        heap[pos] = heap[child].clone();
        pos = child;
        child = 2 * pos + 1;
    }
    heap[pos] = new;
    sift_down(heap, start, pos);
}

/// `heapq.heappush`.
pub fn push(heap: &mut Vec<Rc<HandleInner>>, item: Rc<HandleInner>) {
    heap.push(item);
    let last = heap.len() - 1;
    sift_down(heap, 0, last);
}

/// `heapq.heappop`.
pub fn pop(heap: &mut Vec<Rc<HandleInner>>) -> Option<Rc<HandleInner>> {
    let last = heap.pop()?;
    if heap.is_empty() {
        return Some(last);
    }
    let first = std::mem::replace(&mut heap[0], last);
    sift_up(heap, 0);
    Some(first)
}

/// `heapq.heapify`.
pub fn heapify(heap: &mut [Rc<HandleInner>]) {
    let n = heap.len();
    for i in (0..n / 2).rev() {
        sift_up(heap, i);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event_loop::handle::HandleCallback;

    fn h(when: f64, tag: i64) -> Rc<HandleInner> {
        Rc::new(HandleInner::new(
            HandleCallback::Py {
                func: crate::vm::value::Value::Int(tag),
                args: Vec::new(),
            },
            when,
        ))
    }

    fn tag(h: &HandleInner) -> i64 {
        match &h.callback {
            HandleCallback::Py { func, .. } => func.as_i64().unwrap_or(-1),
            _ => -1,
        }
    }

    #[test]
    fn pops_in_deadline_order_with_heapq_tie_order() {
        // python3: heap = []; for i, w in enumerate([5,1,3,1,2,1]): heappush(heap, (w, i))
        // but comparing only w; verified order of tags for equal deadlines below.
        let mut heap = Vec::new();
        for (i, w) in [5.0, 1.0, 3.0, 1.0, 2.0, 1.0].iter().enumerate() {
            push(&mut heap, h(*w, i as i64));
        }
        let mut out = Vec::new();
        while let Some(x) = pop(&mut heap) {
            out.push((x.when, tag(&x)));
        }
        let whens: Vec<f64> = out.iter().map(|p| p.0).collect();
        assert_eq!(whens, vec![1.0, 1.0, 1.0, 2.0, 3.0, 5.0]);
        // Ties come out in heapq's order, not insertion order.
        let ties: Vec<i64> = out.iter().take(3).map(|p| p.1).collect();
        assert_eq!(ties, vec![1, 5, 3]);
    }
}
