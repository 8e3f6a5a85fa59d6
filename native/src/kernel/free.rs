//! The free slots, as a bitset: taking the lowest-numbered one is two
//! trailing-zero counts, and freeing or filling a slot flips a bit, with no
//! tree to walk or rebalance.

/// A set of slot ids below a fixed bound, lowest first.
#[derive(Clone, Debug, Default)]
pub struct FreeSlots {
    /// Bit `s % 64` of word `s / 64` is set while slot `s` is free.
    words: Vec<u64>,
    /// Bit `w % 64` of word `w / 64` is set while `words[w]` is not zero, so
    /// finding the lowest free slot reads at most one word in 4 096 slots.
    summary: Vec<u64>,
}

impl FreeSlots {
    /// No slot free, room for ids below `slots`.
    pub fn new(slots: u32) -> Self {
        let words = (slots as usize).div_ceil(64);
        FreeSlots { words: vec![0; words], summary: vec![0; words.div_ceil(64)] }
    }

    pub fn insert(&mut self, slot: u32) {
        let w = slot as usize / 64;
        self.words[w] |= 1 << (slot % 64);
        self.summary[w / 64] |= 1 << (w % 64);
    }

    pub fn remove(&mut self, slot: u32) {
        let w = slot as usize / 64;
        self.words[w] &= !(1 << (slot % 64));
        if self.words[w] == 0 {
            self.summary[w / 64] &= !(1 << (w % 64));
        }
    }

    pub fn contains(&self, slot: u32) -> bool {
        self.words.get(slot as usize / 64).is_some_and(|w| w & (1 << (slot % 64)) != 0)
    }

    /// The lowest free slot.
    pub fn first(&self) -> Option<u32> {
        let (i, s) = self.summary.iter().enumerate().find(|(_, s)| **s != 0)?;
        let w = i * 64 + s.trailing_zeros() as usize;
        Some((w * 64) as u32 + self.words[w].trailing_zeros())
    }
}

#[cfg(test)]
mod tests {
    use super::FreeSlots;
    use std::collections::BTreeSet;

    #[test]
    fn the_lowest_free_slot_is_first_after_any_frees_and_reuses() {
        let n = 9_000;
        let mut free = FreeSlots::new(n);
        let mut model = BTreeSet::new();
        assert_eq!(free.first(), None);
        // A fixed pseudo-random walk over fills and frees, across word and summary bounds.
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let slot = (x % n as u64) as u32;
            if x & (1 << 40) != 0 {
                free.insert(slot);
                model.insert(slot);
            } else {
                free.remove(slot);
                model.remove(&slot);
            }
            assert_eq!(free.first(), model.first().copied());
            assert!(free.contains(slot) == model.contains(&slot));
        }
        for s in 0..n {
            assert_eq!(free.contains(s), model.contains(&s), "slot {s}");
        }
        // Taking the lowest one by one walks every word and summary bound.
        while let Some(s) = model.pop_first() {
            assert_eq!(free.first(), Some(s));
            free.remove(s);
        }
        assert_eq!(free.first(), None);
    }

    #[test]
    fn the_last_slot_and_the_bound_are_handled() {
        let mut free = FreeSlots::new(4_097);
        free.insert(4_096);
        assert_eq!(free.first(), Some(4_096));
        free.insert(63);
        assert_eq!(free.first(), Some(63));
        free.remove(63);
        free.remove(4_096);
        assert_eq!(free.first(), None);
        assert!(!free.contains(5_000));
    }
}
