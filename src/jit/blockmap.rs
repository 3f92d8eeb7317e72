//! The block map: every live translated block by its key (the guest pc, or pc | 1 for a
//! block's exact-FP variant), with an index by guest page for invalidation by address range.
//!
//! A hash map, not an ordered one: the dispatcher searches it at every lookup miss and chain
//! (on a short Python run, one search per translated block and as many again for jumps into
//! blocks already translated), and the translator once per block exit
//! (`Jit::install`). A B-tree search of 30 000 blocks walked four nodes of mispredicted
//! key compares. Range queries (`overlapping`) are rare (munmap, mprotect, IC IVAU, shmdt)
//! and go through the page index.

use super::{Block, MAX_BLOCK_BYTES};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Guest pages are indexed in units of 4 KiB (the size of the index's buckets, not a claim
/// about the guest's page size).
const PAGE_SHIFT: u32 = 12;

/// Hasher for the map's keys (guest addresses): a multiply that mixes every bit into the high
/// half, folded onto the low half that the table indexes with. SipHash is much slower and
/// guards against adversarial keys, which guest addresses are not (a guest can only slow
/// itself down).
#[derive(Default)]
pub(crate) struct PcHasher(u64);

impl Hasher for PcHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(self.0 ^ b as u64);
        }
    }
    fn write_u64(&mut self, k: u64) {
        let h = k.wrapping_mul(0x9e37_79b9_7f4a_7c15);
        self.0 = h ^ (h >> 32);
    }
}

type PcMap<V> = HashMap<u64, V, BuildHasherDefault<PcHasher>>;

/// The blocks themselves live in a slab (`slab`, with the vacant places in `free`) and the
/// hash map holds their indexes: a block costs no allocation of its own, a flush keeps the
/// slab's memory for the next blocks, and the map's entries stay small.
#[derive(Default)]
pub(crate) struct BlockMap {
    /// Key -> index of the block in `slab`.
    blocks: PcMap<u32>,
    /// The blocks by index; the places listed in `free` are vacant (`Block::default()`).
    slab: Vec<Block>,
    free: Vec<u32>,
    /// Keys of the blocks whose first instruction lies in each page (pc >> PAGE_SHIFT).
    pages: PcMap<Vec<u64>>,
}

impl BlockMap {
    pub(crate) fn get(&self, key: u64) -> Option<&Block> {
        self.blocks.get(&key).map(|&i| &self.slab[i as usize])
    }

    pub(crate) fn get_mut(&mut self, key: u64) -> Option<&mut Block> {
        self.blocks.get(&key).map(|&i| &mut self.slab[i as usize])
    }

    pub(crate) fn contains(&self, key: u64) -> bool {
        self.blocks.contains_key(&key)
    }

    pub(crate) fn len(&self) -> usize {
        self.blocks.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.blocks.is_empty()
    }

    pub(crate) fn keys(&self) -> impl Iterator<Item = u64> + '_ {
        self.blocks.keys().copied()
    }

    /// Enter `block` under `key` (which holds no block).
    pub(crate) fn insert(&mut self, key: u64, block: Block) {
        let index = match self.free.pop() {
            Some(i) => {
                self.slab[i as usize] = block;
                i
            }
            None => {
                self.slab.push(block);
                (self.slab.len() - 1) as u32
            }
        };
        let old = self.blocks.insert(key, index);
        debug_assert!(old.is_none(), "block {key:#x} translated twice");
        self.pages.entry(key >> PAGE_SHIFT).or_default().push(key);
    }

    /// Remove the blocks under `keys`, calling `f` with each one that was there. The page
    /// index is mended once per page afterwards (removing the blocks of a page one by one,
    /// each with a search of the page's list, took time quadratic in the blocks per page).
    pub(crate) fn remove_all(&mut self, keys: &[u64], mut f: impl FnMut(u64, Block)) {
        let mut pages: Vec<u64> = Vec::new();
        for &key in keys {
            if let Some(index) = self.blocks.remove(&key) {
                let page = key >> PAGE_SHIFT;
                if pages.last() != Some(&page) {
                    pages.push(page);
                }
                let block = std::mem::take(&mut self.slab[index as usize]);
                self.free.push(index);
                f(key, block);
            }
        }
        pages.sort_unstable();
        pages.dedup();
        for page in pages {
            if let Some(list) = self.pages.get_mut(&page) {
                list.retain(|k| self.blocks.contains_key(k));
                if list.is_empty() {
                    self.pages.remove(&page);
                }
            }
        }
    }

    pub(crate) fn clear(&mut self) {
        self.blocks.clear();
        self.slab.clear();
        self.free.clear();
        self.pages.clear();
    }

    /// Keys of the blocks whose guest bytes [guest_pc, guest_pc + guest_len) overlap
    /// [start, end). A block starts at most MAX_BLOCK_BYTES before the bytes it covers.
    pub(crate) fn overlapping(&self, start: u64, end: u64) -> Vec<u64> {
        let mut out = Vec::new();
        if start >= end {
            return out;
        }
        let from = start.saturating_sub(MAX_BLOCK_BYTES);
        let (first, last) = (from >> PAGE_SHIFT, (end - 1) >> PAGE_SHIFT);
        let mut take = |keys: &Vec<u64>| {
            for &k in keys {
                if let Some(&i) = self.blocks.get(&k) {
                    let b = &self.slab[i as usize];
                    if b.guest_pc < end && b.guest_pc + b.guest_len > start {
                        out.push(k);
                    }
                }
            }
        };
        if last - first >= self.pages.len() as u64 {
            // (a range wider than the pages that hold blocks: munmap of a large area, a flush)
            for (_, keys) in self.pages.iter().filter(|(&p, _)| p >= first && p <= last) {
                take(keys);
            }
        } else {
            for p in first..=last {
                if let Some(keys) = self.pages.get(&p) {
                    take(keys);
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(pc: u64, len: u64) -> Block {
        Block { guest_pc: pc, guest_len: len, ..Default::default() }
    }

    #[test]
    fn overlapping_finds_blocks_by_their_guest_bytes() {
        let mut m = BlockMap::default();
        m.insert(0x1000, block(0x1000, 16));
        m.insert(0x1001, block(0x1000, 16)); // the exact-FP variant of the same block
        m.insert(0x1ff8, block(0x1ff8, 64)); // runs into the next page
        m.insert(0x40_0000, block(0x40_0000, 4));
        let sorted = |s, e| {
            let mut v = m.overlapping(s, e);
            v.sort();
            v
        };
        assert_eq!(sorted(0x1000, 0x1004), [0x1000, 0x1001]);
        assert_eq!(sorted(0x100c, 0x1010), [0x1000, 0x1001]);
        assert_eq!(sorted(0x1010, 0x1ff8), Vec::<u64>::new());
        assert_eq!(sorted(0x2000, 0x2004), [0x1ff8]); // the block starts in the page before
        assert_eq!(sorted(0, u64::MAX), [0x1000, 0x1001, 0x1ff8, 0x40_0000]);
        assert_eq!(sorted(0x3f_fffc, 0x40_0004), [0x40_0000]);
        assert_eq!(sorted(5, 5), Vec::<u64>::new());
    }

    #[test]
    fn remove_drops_the_page_entry() {
        let mut m = BlockMap::default();
        m.insert(0x1000, block(0x1000, 8));
        m.insert(0x1010, block(0x1010, 8));
        let removed = |m: &mut BlockMap, k| {
            let mut n = 0;
            m.remove_all(&[k], |_, _| n += 1);
            n
        };
        assert_eq!(removed(&mut m, 0x1000), 1);
        assert_eq!(removed(&mut m, 0x1000), 0);
        assert_eq!(m.overlapping(0, u64::MAX), [0x1010]);
        assert_eq!(removed(&mut m, 0x1010), 1);
        assert!(m.pages.is_empty() && m.is_empty());
        // the places are reused, and a block is found at its new place
        m.insert(0x2000, block(0x2000, 4));
        m.insert(0x3000, block(0x3000, 4));
        m.insert(0x4000, block(0x4000, 4));
        assert_eq!(m.slab.len(), 3);
        assert_eq!(m.get(0x3000).map(|b| b.guest_pc), Some(0x3000));
        assert_eq!(m.get(0x4000).map(|b| b.guest_pc), Some(0x4000));
    }

    #[test]
    fn remove_all_mends_each_page_once() {
        let mut m = BlockMap::default();
        for k in 0..600u64 {
            m.insert(0x1000 + 8 * k, block(0x1000 + 8 * k, 8));
        }
        let mut gone = Vec::new();
        let dead: Vec<u64> = m.overlapping(0x1000, 0x1000 + 8 * 500).into_iter().chain([0x9999_0000]).collect();
        m.remove_all(&dead, |k, _| gone.push(k));
        gone.sort();
        assert_eq!(gone, (0..500u64).map(|k| 0x1000 + 8 * k).collect::<Vec<_>>());
        let mut left = m.overlapping(0, u64::MAX);
        left.sort();
        assert_eq!(left, (500..600u64).map(|k| 0x1000 + 8 * k).collect::<Vec<_>>());
        assert_eq!(m.len(), 100);
    }
}
