import Torch

/// Each item's `width` nearest items and its farthest score, from a symmetric N×N score matrix
/// computed in row blocks over its upper triangle only: half the matrix products, which are most
/// of re-ranking's time, and never more than one block of rows in memory.
///
/// Row block b is scored against items start_b..<N. Its rows see those scores; the items right of
/// the diagonal block see the same scores transposed (their scores against items before them come
/// from earlier blocks). Each row keeps its best `width` in a faiss top-k heap (`TopKHeaps`), so a
/// score costs about one comparison, and its farthest score from a libtorch reduction.
struct SymmetricNeighbourScan {
    /// Rows scored at once.
    var blockRows: Int
    /// Neighbours kept per row (the item itself included), at most N.
    var width: Int
    /// Similarity (larger is nearer) or distance (smaller is nearer).
    var largerIsNearer: Bool
    /// Whether to find each row's farthest score (re-ranking scales by it; kNN alone does not).
    var tracksFarthest = true
    /// Scores of rows [r, D] against items [c, D]: [r, c]. Must be symmetric in its arguments.
    var score: (Tensor, Tensor) throws -> Tensor

    struct Result {
        /// rank[i * width + r] is item i's r-th nearest item.
        var rank: [Int32]
        /// Each row's farthest score (smallest similarity or largest distance).
        var farthest: [Float]
    }

    /// Scans `items` [N, D]. `visit(start, rows, scores)` sees each row block's scores against
    /// items start..<N ([rows, N − start], contiguous), in block order.
    func run(_ items: Tensor, visit: (_ start: Int, _ rows: Int, _ scores: Tensor) throws -> Void) throws -> Result {
        let n = items.size(0)
        precondition(width >= 1 && width <= n && blockRows >= 1)
        let heaps = TopKHeaps(rows: n, k: width, largerIsBetter: largerIsNearer)
        var farthest = [Float](repeating: largerIsNearer ? .infinity : -.infinity, count: n)
        let farther: (Float, Float) -> Float = largerIsNearer ? { Swift.min($0, $1) } : { Swift.max($0, $1) }
        try withNoGrad {
            for start in stride(from: 0, to: n, by: blockRows) {
                let rows = min(blockRows, n - start), columns = n - start, right = columns - rows
                let strip = try score(items.narrow(dim: 0, start: start, length: rows),
                                      items.narrow(dim: 0, start: start, length: columns)).contiguous()
                try offer(strip, to: heaps, firstRow: start, rows: rows, columns: columns, firstID: start)
                if tracksFarthest {
                    for (r, value) in try extreme(strip, dim: 1).floats().enumerated() {
                        farthest[start + r] = farther(farthest[start + r], value)
                    }
                }
                if right > 0 {
                    try offerTransposed(strip, to: heaps, firstRow: start + rows, rows: rows, columns: columns,
                                        firstID: start)
                    if tracksFarthest {
                        let beyond = try strip.narrow(dim: 1, start: rows, length: right)
                        for (c, value) in try extreme(beyond, dim: 0).floats().enumerated() {
                            farthest[start + rows + c] = farther(farthest[start + rows + c], value)
                        }
                    }
                }
                try visit(start, rows, strip)
            }
        }
        return Result(rank: heaps.sorted().ids.map { Int32(truncatingIfNeeded: $0) }, farthest: farthest)
    }

    /// Offers the rows of `scores` [rows, columns] to heaps firstRow..<firstRow + rows, in parallel.
    private func offer(_ scores: Tensor, to heaps: TopKHeaps, firstRow: Int, rows: Int, columns: Int, firstID: Int) throws {
        try scores.withUnsafeFloats { values in
            let base = UnsafeSendablePointer(UnsafeMutablePointer(mutating: values.baseAddress!))
            concurrentChunks(rows) { range in
                heaps.offer(firstRow: firstRow + range.lowerBound, count: range.count,
                            scores: base.pointer + range.lowerBound * columns, columns: columns, stride: columns,
                            firstID: firstID)
            }
        }
    }

    /// Offers the columns right of the diagonal block of `strip` [rows, columns] (items
    /// firstRow..<firstRow + columns − rows) to their heaps, in parallel over the columns, each
    /// worker transposing pieces of columns into a buffer that stays in cache.
    private func offerTransposed(_ strip: Tensor, to heaps: TopKHeaps, firstRow: Int, rows: Int, columns: Int,
                                 firstID: Int) throws {
        let right = columns - rows
        try strip.withUnsafeFloats { values in
            let base = UnsafeSendablePointer(UnsafeMutablePointer(mutating: values.baseAddress!))
            concurrentChunks(right) { range in
                let piece = 256
                let buffer = UnsafeMutablePointer<Float>.allocate(capacity: piece * rows)
                defer { buffer.deallocate() }
                for first in stride(from: range.lowerBound, to: range.upperBound, by: piece) {
                    let count = min(piece, range.upperBound - first)
                    MatrixTranspose.transpose(rows: rows, columns: count, source: base.pointer + rows + first,
                                              sourceStride: columns, into: buffer, destinationStride: rows)
                    heaps.offer(firstRow: firstRow + first, count: count, scores: buffer, columns: rows, stride: rows,
                                firstID: firstID)
                }
            }
        }
    }

    /// The farthest score along `dim`.
    private func extreme(_ scores: Tensor, dim: Int) throws -> Tensor {
        largerIsNearer ? try scores.amin(dims: [dim]) : try scores.amax(dims: [dim])
    }
}
