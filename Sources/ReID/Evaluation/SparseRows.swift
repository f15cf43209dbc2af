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
