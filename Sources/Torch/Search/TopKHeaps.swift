import CTorch

/// One top-k heap per row, faiss's (`faiss/utils/Heap.h`): each row is offered blocks of scores and
/// keeps its k best with their column ids. Most scores cost one comparison with the row's current
/// k-th best, so scanning an N×N score matrix block by block is about as fast as reading it, where
/// libtorch's `topk` sorts part of every block it sees.
///
/// Rows are independent: several threads may offer scores at once to disjoint row ranges.
public final class TopKHeaps: @unchecked Sendable {
    public let rows: Int
    public let k: Int
    /// Keep the k largest scores (similarities) or the k smallest (distances).
    public let largerIsBetter: Bool
    private let values: UnsafeMutablePointer<Float>
    private let ids: UnsafeMutablePointer<Int64>

    public init(rows: Int, k: Int, largerIsBetter: Bool) {
        precondition(rows >= 0 && k >= 1)
        self.rows = rows
        self.k = k
        self.largerIsBetter = largerIsBetter
        values = .allocate(capacity: rows * k)
        values.initialize(repeating: largerIsBetter ? -.infinity : .infinity, count: rows * k)
        ids = .allocate(capacity: rows * k)
        ids.initialize(repeating: -1, count: rows * k)
    }

    deinit {
        values.deallocate()
        ids.deallocate()
    }

    /// Offers heaps `firstRow ..< firstRow + count` the rows of `scores` (`count` rows of `columns`
    /// scores, `stride` apart), whose columns have ids `firstID ..< firstID + columns`.
    public func offer(firstRow: Int, count: Int, scores: UnsafePointer<Float>, columns: Int, stride: Int, firstID: Int) {
        precondition(firstRow >= 0 && firstRow + count <= rows && columns <= stride)
        guard count > 0, columns > 0 else { return }
        ct_heap_add_rows(Int64(k), largerIsBetter ? 1 : 0, values + firstRow * k, ids + firstRow * k,
                         Int64(count), scores, Int64(columns), Int64(stride), Int64(firstID))
    }

    /// Offers heap `heapRows[r]` row r of `scores` (`count` rows of `columns` scores, `stride`
    /// apart) with column ids `ids[0 ..< columns]`. The heap rows must be distinct when several
    /// threads offer at once.
    public func offer(heapRows: UnsafePointer<Int64>, count: Int, scores: UnsafePointer<Float>, columns: Int,
                      stride: Int, ids: UnsafePointer<Int64>) {
        precondition(columns <= stride)
        guard count > 0, columns > 0 else { return }
        ct_heap_add_scattered(Int64(k), largerIsBetter ? 1 : 0, values, self.ids, heapRows, Int64(count), scores,
                              Int64(columns), Int64(stride), ids)
    }

    /// Every row's kept ids and scores, best first (id −1 where a row saw fewer than k scores).
    /// Sorting empties the heaps' order: call it once, after the last offer.
    public func sorted() -> (ids: [Int64], scores: [Float]) {
        ct_heap_sort_rows(Int64(k), largerIsBetter ? 1 : 0, values, ids, Int64(rows))
        return (Array(UnsafeBufferPointer(start: ids, count: rows * k)),
                Array(UnsafeBufferPointer(start: values, count: rows * k)))
    }
}
