import Torch

/// Approximate k-nearest neighbours of a set among itself by squared L2, for sets too large for
/// the exact N² search (the 1,000,000-image clustering): faiss k-means splits the set into `lists`
/// cells; each item is searched exactly within its `probes` nearest cells.
///
/// The scans run list by list rather than item by item: a cell's members are compared with every
/// item probing it in one matrix product (libtorch, BLAS speed), and each item keeps its k best in
/// a faiss top-k heap (`TopKHeaps`). Memory beyond the vectors is the heaps (12·k bytes per item)
/// and one cell's scores per worker.
struct InvertedFileNeighbours {
    var lists: Int
    var probes: Int

    /// Labels [n·k] for the rows of `x` [n, d], each row nearest first (normally the item itself).
    func search(_ x: Tensor, k: Int) throws -> [Int64] {
        let x = try x.to(.float32).contiguous()
        let n = x.size(0), d = x.size(1)
        let lists = min(self.lists, n), probes = min(self.probes, lists)
        // faiss's k-means alternates BLAS products with OpenMP loops: faster with BLAS on one thread.
        let assignment = try BLASKernels.withSingleThreadedBLAS {
            try x.withUnsafeFloats {
                try FaissSearch.coarseAssignment($0, count: n, dimension: d, lists: lists, probes: probes)
            }
        }
        // Members of each cell (by nearest centroid) and the items probing it, grouped by cell.
        let members = grouped(count: n, lists: lists) { i in [assignment[i * probes]] }
        let probing = grouped(count: n, lists: lists) { i in assignment[(i * probes)..<((i + 1) * probes)] }

        // Ranked by 2 q·x − |x|² (larger is nearer; |q|² is the same for all of q's candidates).
        let negativeSquaredNorms = try (x * x).sum(dims: [1]).neg()
        let heaps = TopKHeaps(rows: n, k: k, largerIsBetter: true)
        // One single-threaded worker per core, each owning a range of items (so no two write the
        // same heap).
        let workers = max(1, min(Runtime.threadCount, n))
        try Runtime.concurrentSingleThreaded(workers) { w in
            let owned = Int64(n * w / workers)..<Int64(n * (w + 1) / workers)
            try withNoGrad {
                for cell in 0..<lists {
                    // The cell's probing items are in increasing order: take this worker's.
                    let all = probing.items[probing.offsets[cell]..<probing.offsets[cell + 1]]
                    let queryIDs = all[firstIndex(in: all, atLeast: owned.lowerBound)..<firstIndex(
                        in: all, atLeast: owned.upperBound)]
                    let memberIDs = members.items[members.offsets[cell]..<members.offsets[cell + 1]]
                    guard !memberIDs.isEmpty, !queryIDs.isEmpty else { continue }
                    try scan(x, norms: negativeSquaredNorms, queries: queryIDs, members: memberIDs, into: heaps)
                }
            }
        }
        // An item whose probed cells held fewer than k items keeps empty places (id −1); they
        // repeat the item itself, so every entry is a valid index (the k2 query expansion then
        // weighs the item's own encoding more; rare above the 30,000-item threshold).
        var labels = heaps.sorted().ids
        for i in 0..<n where labels[i * k + k - 1] < 0 {
            for r in 0..<k where labels[i * k + r] < 0 { labels[i * k + r] = Int64(i) }
        }
        return labels
    }

    /// Scores `queries` against `members` (2 q·x − |x|², one matrix product) and offers each row to
    /// its query's heap.
    private func scan(_ x: Tensor, norms: Tensor, queries: ArraySlice<Int64>, members: ArraySlice<Int64>,
                      into heaps: TopKHeaps) throws {
        let memberIndex = try Tensor(Array(members))
        let scores = try norms.indexSelect(dim: 0, index: memberIndex).unsqueeze(0)
            .addmm(x.indexSelect(dim: 0, index: try Tensor(Array(queries))),
                   x.indexSelect(dim: 0, index: memberIndex).t(), beta: 1, alpha: 2)
            .contiguous()
        try scores.withUnsafeFloats { values in
            queries.withUnsafeBufferPointer { rows in
                members.withUnsafeBufferPointer { ids in
                    heaps.offer(heapRows: rows.baseAddress!, count: rows.count, scores: values.baseAddress!,
                                columns: ids.count, stride: ids.count, ids: ids.baseAddress!)
                }
            }
        }
    }

    /// The position of the first element ≥ `value` in the ascending `items` (binary search).
    private func firstIndex(in items: ArraySlice<Int64>, atLeast value: Int64) -> Int {
        var low = items.startIndex, high = items.endIndex
        while low < high {
            let middle = (low + high) / 2
            if items[middle] < value { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// Items 0..<count grouped by the cells `cells(i)` names (CSR: offsets [lists + 1], items).
    private func grouped<C: Collection>(count: Int, lists: Int, _ cells: (Int) -> C) -> (offsets: [Int], items: [Int64])
        where C.Element == Int64 {
        var offsets = [Int](repeating: 0, count: lists + 1)
        for i in 0..<count { for c in cells(i) { offsets[Int(c) + 1] += 1 } }
        for c in 0..<lists { offsets[c + 1] += offsets[c] }
        var cursor = offsets
        var items = [Int64](repeating: 0, count: offsets[lists])
        for i in 0..<count {
            for c in cells(i) {
                items[cursor[Int(c)]] = Int64(i)
                cursor[Int(c)] += 1
            }
        }
        return (offsets, items)
    }
}
