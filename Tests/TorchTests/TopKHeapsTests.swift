import XCTest
@testable import Torch

final class TopKHeapsTests: XCTestCase {
    /// Scores offered in two blocks with id offsets: each row keeps its k best, sorted best first.
    func testKeepsTheBestAcrossBlocksWithTheirIDs() {
        let largest = TopKHeaps(rows: 2, k: 3, largerIsBetter: true)
        let first: [Float] = [0.1, 0.9, 0.3,
                              5, 4, 3]
        let second: [Float] = [0.8, 0.2, 99, // row 0: stride 3, only 2 columns offered
                               1, 6, 99]
        first.withUnsafeBufferPointer {
            largest.offer(firstRow: 0, count: 2, scores: $0.baseAddress!, columns: 3, stride: 3, firstID: 0)
        }
        second.withUnsafeBufferPointer {
            largest.offer(firstRow: 0, count: 2, scores: $0.baseAddress!, columns: 2, stride: 3, firstID: 10)
        }
        let kept = largest.sorted()
        XCTAssertEqual(kept.ids, [1, 10, 2, 11, 0, 1])
        XCTAssertEqual(kept.scores, [0.9, 0.8, 0.3, 6, 5, 4])

        let smallest = TopKHeaps(rows: 1, k: 2, largerIsBetter: false)
        [Float(3), 1, 2].withUnsafeBufferPointer {
            smallest.offer(firstRow: 0, count: 1, scores: $0.baseAddress!, columns: 3, stride: 3, firstID: 5)
        }
        XCTAssertEqual(smallest.sorted().ids, [6, 7])
    }

    /// A row offered fewer than k scores keeps −1 ids in the empty places.
    func testShortRowsKeepEmptyPlaces() {
        let heaps = TopKHeaps(rows: 1, k: 3, largerIsBetter: true)
        [Float(2)].withUnsafeBufferPointer {
            heaps.offer(firstRow: 0, count: 1, scores: $0.baseAddress!, columns: 1, stride: 1, firstID: 4)
        }
        XCTAssertEqual(heaps.sorted().ids, [4, -1, -1])
    }

    func testTransposeOfAStridedBlock() {
        // 2 × 3 block inside rows of 4; destination rows of 3 (one spare).
        let source: [Float] = [1, 2, 3, -1,
                               4, 5, 6, -1]
        var out = [Float](repeating: 0, count: 9)
        source.withUnsafeBufferPointer { s in
            out.withUnsafeMutableBufferPointer { d in
                MatrixTranspose.transpose(rows: 2, columns: 3, source: s.baseAddress!, sourceStride: 4,
                                          into: d.baseAddress!, destinationStride: 3)
            }
        }
        XCTAssertEqual(out, [1, 4, 0, 2, 5, 0, 3, 6, 0])
    }
}

final class BLASKernelsTests: XCTestCase {
    /// The rule: AVX-512 CPUs get SkylakeX unless OpenBLAS already chose AVX-512 kernels; AVX2 CPUs
    /// get Haswell unless already AVX2 or wider; older CPUs keep what OpenBLAS chose.
    func testReplacementRule() {
        XCTAssertEqual(BLASKernels.replacement(current: "Prescott", vectorLevel: 2), "SkylakeX")
        XCTAssertEqual(BLASKernels.replacement(current: "Haswell", vectorLevel: 2), "SkylakeX")
        XCTAssertEqual(BLASKernels.replacement(current: "Zen", vectorLevel: 2), "SkylakeX")
        XCTAssertNil(BLASKernels.replacement(current: "Cooperlake", vectorLevel: 2))
        XCTAssertNil(BLASKernels.replacement(current: "SkylakeX", vectorLevel: 2))
        XCTAssertEqual(BLASKernels.replacement(current: "Sandybridge", vectorLevel: 1), "Haswell")
        XCTAssertNil(BLASKernels.replacement(current: "Zen", vectorLevel: 1))
        XCTAssertNil(BLASKernels.replacement(current: "Prescott", vectorLevel: 0))
    }
}

final class FaissSelfSearchTests: XCTestCase {
    /// Splitting the exact search over workers (each single-threaded) gives the same neighbour
    /// lists as one search, including the order of near-ties.
    func testWorkersGiveTheSameNeighbours() throws {
        Runtime.seed(21)
        let centres = try Tensor.randn([40, 24])
        let x = try (centres.rows((0..<480).map { $0 / 12 }) + Tensor.randn([480, 24]) * 0.3).normalized(dim: 1).floats()
        let one = try FaissSearch.selfNeighbours(x, count: 480, dimension: 24, k: 15)
        for workers in [2, 3, 7] {
            XCTAssertEqual(try FaissSearch.selfNeighbours(x, count: 480, dimension: 24, k: 15, workers: workers), one)
        }
        XCTAssertEqual(Array(one.prefix(1)), [0], "each item first in its own list")
        XCTAssertThrowsError(try FaissSearch.selfNeighbours(x, count: 480, dimension: 24, k: 481, workers: 2))
    }
}
