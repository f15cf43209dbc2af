import Torch

/// Each item's `width` nearest items and its farthest score, from a symmetric N×N score matrix
/// computed in row blocks, computing only its upper triangle: half the matrix products, which
/// are most of re-ranking's time.
///
/// Row block b is scored against items start_b..<N. The part right of its diagonal block is kept
/// (a view, no copy) until the later blocks need it: block c reads its left part, items
/// 0..<start_c, as the transposes of those kept strips. Memory peaks at about half the N×N
/// matrix (4·N²/2 bytes) towards the end of the scan.
struct SymmetricNeighbourScan {
    /// Rows scored at once.
    var blockRows: Int
    /// Neighbours kept per row (the item itself included), at most N.
    var width: Int
    /// Similarity (larger is nearer) or distance (smaller is nearer).
    var largerIsNearer: Bool
    /// Scores of rows [r, D] against items [c, D]: [r, c]. Must be symmetric in its arguments.
    var score: (Tensor, Tensor) throws -> Tensor

    struct Result {
        /// rank[i * width + r] is item i's r-th nearest item.
        var rank: [Int32]
        /// Each row's farthest score (smallest similarity or largest distance).
        var farthest: [Float]
    }

    /// Scans `items` [N, D]. `visit(start, rows, scores, farthest)` sees each row block's scores
    /// against items start..<N and those rows' farthest scores [rows, 1], in block order.
    func run(_ items: Tensor,
             visit: (_ start: Int, _ rows: Int, _ scores: Tensor, _ farthest: Tensor) throws -> Void) throws -> Result {
        let n = items.size(0)
        precondition(width >= 1 && width <= n && blockRows >= 1)
        let blocks = (n + blockRows - 1) / blockRows
        var rank = [Int32](repeating: 0, count: n * width)
        var farthest = [Float](repeating: 0, count: n)
        // Per block b: its scores right of the diagonal block, [rows_b, N − end_b].
        var strips: [Tensor] = []
        try withNoGrad {
            for b in 0..<blocks {
                let start = b * blockRows, rows = min(blockRows, n - start)
                let own = try score(items.narrow(dim: 0, start: start, length: rows),
                                    items.narrow(dim: 0, start: start, length: n - start))
                // The left part: what earlier blocks scored against this block, transposed.
                let left = b == 0 ? nil : try Tensor.cat(strips.indices.map { a in
                    let offset = start - (a + 1) * blockRows
                    return try strips[a].narrow(dim: 1, start: offset, length: rows).t()
                }, dim: 1)
                var values: [Tensor] = [], indices: [Tensor] = [], far: [Tensor] = []
                for (part, first) in [(left, 0), (own, start)] {
                    guard let part else { continue }
                    let top = try part.topk(min(width, part.size(1)), dim: 1, largest: largerIsNearer, sorted: false)
                    values.append(top.values)
                    indices.append(first == 0 ? top.indices : try top.indices + Tensor([Int64(first)]))
                    far.append(try extreme(part))
                }
                let candidates = try Tensor.cat(values, dim: 1)
                let best = try candidates.topk(width, dim: 1, largest: largerIsNearer, sorted: true)
                let nearest = try Tensor.cat(indices, dim: 1).gather(dim: 1, index: best.indices).to(.int32).contiguous()
                try rank.withUnsafeMutableBytes { raw in
                    try nearest.copyBytes(into: UnsafeMutableRawBufferPointer(
                        rebasing: raw[(start * width * 4)..<((start + rows) * width * 4)]))
                }
                let rowFar = try extreme(Tensor.cat(far, dim: 1))
                let farValues = try rowFar.flatten().floats()
                for r in 0..<rows { farthest[start + r] = farValues[r] }
                try visit(start, rows, own, rowFar)
                if start + rows < n { strips.append(try own.narrow(dim: 1, start: rows, length: n - start - rows)) }
            }
        }
        return Result(rank: rank, farthest: farthest)
    }

    /// Each row's farthest score, [rows, 1].
    private func extreme(_ scores: Tensor) throws -> Tensor {
        largerIsNearer ? try scores.amin(dims: [1], keepDim: true) : try scores.amax(dims: [1], keepDim: true)
    }
}
