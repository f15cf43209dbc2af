/// Rows of a sparse matrix with sorted column indices, stored contiguously (CSR).
/// Used for the k-reciprocal encodings V, which have a few dozen non-zeros per row out of N.
struct SparseRows: Sendable {
    var offsets: [Int]
    var columns: [Int32]
    var values: [Float]

    init(rows: [[(Int32, Float)]]) {
        offsets = [0]
        offsets.reserveCapacity(rows.count + 1)
        columns = []
        values = []
        for row in rows {
            for (c, v) in row {
                columns.append(c)
                values.append(v)
            }
            offsets.append(columns.count)
        }
    }

    var rowCount: Int { offsets.count - 1 }

    /// Local query expansion: row i becomes the mean of the rows of its k nearest neighbours
    /// (itself first). Accumulates into a dense scratch row per worker, in parallel.
    func queryExpanded(_ neighbours: KReciprocalNeighbors, k: Int) -> SparseRows {
        guard k > 1 else { return self }
        let n = rowCount
        return SparseRows(rows: chunkedMap(n, scratch: n) { i, sums, touched in
            for r in neighbours.neighbours(i, k) {
                for p in self.row(Int(r)) {
                    let c = Int(self.columns[p])
                    if sums[c] == 0 { touched.append(Int32(c)) }
                    sums[c] += self.values[p]
                }
            }
            touched.sort()
            return touched.map { ($0, sums[Int($0)] / Float(k)) }
        })
    }

    @inline(__always)
    func row(_ i: Int) -> Range<Int> { offsets[i]..<offsets[i + 1] }
}

/// Column → (row, value) lists of a SparseRows restricted to rows in `rowRange`, built by a
/// counting pass (the "inverted index" of the re-ranking paper).
struct InvertedIndex: Sendable {
    var offsets: [Int]
    var rows: [Int32]
    var values: [Float]

    init(_ m: SparseRows, columns: Int, rowRange: Range<Int>) {
        var counts = [Int](repeating: 0, count: columns + 1)
        for i in rowRange {
            for p in m.row(i) { counts[Int(m.columns[p]) + 1] += 1 }
        }
        for c in 0..<columns { counts[c + 1] += counts[c] }
        offsets = counts
        var cursor = counts
        rows = [Int32](repeating: 0, count: counts[columns])
        values = [Float](repeating: 0, count: counts[columns])
        for i in rowRange {
            for p in m.row(i) {
                let c = Int(m.columns[p])
                rows[cursor[c]] = Int32(i)
                values[cursor[c]] = m.values[p]
                cursor[c] += 1
            }
        }
    }
}
