import CTorch

/// faiss k-nearest-neighbour search of a set of vectors among themselves (squared L2), and the
/// k-means coarse assignment behind the inverted-file search (`InvertedFileNeighbours` in ReID).
public enum FaissSearch {
    /// Exact search (faiss IndexFlatL2) of `vectors` row-major [n, d]. Returns labels [n·k].
    ///
    /// With `workers` > 1 the queries are split into that many ranges searched side by side, each
    /// on one thread with BLAS and OpenMP single-threaded: faiss alternates BLAS products with
    /// OpenMP heap updates, and with both pools multi-threaded their spinning workers fight for
    /// the cores. The results are the same (each query's distances come from the same products).
    public static func selfNeighbours(_ vectors: [Float], count n: Int, dimension d: Int, k: Int,
                                      workers: Int = 1) throws -> [Int64] {
        guard vectors.count == n * d, k >= 1, k <= n else {
            throw TorchError.invalidArgument("faiss search: \(vectors.count) values for \(n)×\(d), k \(k)")
        }
        var labels = [Int64](repeating: 0, count: n * k)
        var distances = [Float](repeating: 0, count: n * k)
        let parts = max(1, min(workers, n))
        if parts == 1 {
            try check(ct_knn_self(vectors, Int64(n), Int64(d), Int64(k), 0, Int64(n), &labels, &distances))
            return labels
        }
        try vectors.withUnsafeBufferPointer { x in
            try labels.withUnsafeMutableBufferPointer { l in
                try distances.withUnsafeMutableBufferPointer { dist in
                    let xs = UnsafeSendablePointer(UnsafeMutablePointer(mutating: x.baseAddress!))
                    let ls = UnsafeSendablePointer(l.baseAddress!), ds = UnsafeSendablePointer(dist.baseAddress!)
                    try Runtime.concurrentSingleThreaded(parts) { w in
                        let first = n * w / parts, count = n * (w + 1) / parts - first
                        try check(ct_knn_self(xs.pointer, Int64(n), Int64(d), Int64(k), Int64(first), Int64(count),
                                              ls.pointer + first * k, ds.pointer + first * k))
                    }
                }
            }
        }
        return labels
    }

    /// faiss k-means with `lists` centroids (`iterations` rounds on at most `pointsPerList`·lists
    /// sampled vectors), then each vector's `probes` nearest centroids, nearest first: [n·probes].
    public static func coarseAssignment(_ vectors: UnsafeBufferPointer<Float>, count n: Int, dimension d: Int, lists: Int,
                                        probes: Int, iterations: Int = 10, pointsPerList: Int = 64) throws -> [Int64] {
        guard vectors.count == n * d, lists >= 1, lists <= n, probes >= 1, probes <= lists else {
            throw TorchError.invalidArgument(
                "k-means: \(vectors.count) values for \(n)×\(d), \(lists) lists, \(probes) probes")
        }
        var assignment = [Int64](repeating: 0, count: n * probes)
        try check(ct_faiss_coarse_assign(vectors.baseAddress, Int64(n), Int64(d), Int64(lists), Int64(iterations),
                                         Int64(pointsPerList), Int64(probes), &assignment))
        return assignment
    }
}
