import XCTest
@testable import Torch

/// The gallery's faiss index: search by inner product over caller ids, after removals too,
/// checked against a brute-force scan.
final class FaissIndexTests: XCTestCase {
    func testSearchMatchesBruteForceAfterRemovals() throws {
        Runtime.seed(11)
        let n = 500, d = 16
        let vectors = try Tensor.randn([n, d]).normalized(dim: 1).floats()
        let ids = (0..<n).map { Int64(1000 + 3 * $0) }
        let index = try FaissIndex(dimension: d)
        try index.add(vectors, ids: ids)
        XCTAssertEqual(try index.remove([1000, 1003, 77]), 2)
        XCTAssertEqual(index.count, n - 2)
        let queries = Array(vectors[(5 * d)..<(8 * d)])
        let results = try index.search(queries, k: 7)
        XCTAssertEqual(results.count, 3)
        for (q, found) in results.enumerated() {
            let query = Array(queries[(q * d)..<((q + 1) * d)])
            let expected = (2..<n).map { i -> (Int64, Float) in
                (ids[i], (0..<d).reduce(0) { $0 + query[$1] * vectors[i * d + $1] })
            }.sorted { $0.1 > $1.1 }.prefix(7)
            XCTAssertEqual(found.map(\.id), expected.map(\.0), "query \(q)")
            XCTAssertEqual(found.first?.id, ids[5 + q])
            for (a, b) in zip(found, expected) { XCTAssertEqual(a.score, b.1, accuracy: 1e-5) }
        }
        // Asking for more than the index holds gives what it holds.
        let small = try FaissIndex(dimension: d)
        try small.add(Array(vectors[0..<(3 * d)]), ids: [1, 2, 3])
        XCTAssertEqual(try small.search(Array(vectors[0..<d]), k: 5)[0].map(\.id).count, 3)
    }

    /// The inverted-file index on clustered vectors (groups of 10 near-duplicates, like crops of one
    /// person): recall@10 against exact search ≥ 0.99 at 1/8 of the cells probed, removal works,
    /// and it survives a write and read. Probing every cell is exact.
    func testApproximateIndexRecallOnClusteredVectors() throws {
        Runtime.seed(5)
        let n = 4000, d = 32, k = 10
        let centres = try Tensor.randn([n / 10, d])
        let which = try Tensor((0..<n).map { Int64($0 / 10) })
        let vectors = try (centres.indexSelect(dim: 0, index: which) + Tensor.randn([n, d]) * 0.35).normalized(dim: 1).floats()
        let ids = (0..<n).map { Int64($0 + 1) }
        let exact = try FaissIndex(dimension: d)
        try exact.add(vectors, ids: ids)
        let approximate = try FaissIndex(dimension: d, lists: 64)
        XCTAssertTrue(approximate.isApproximate)
        XCTAssertFalse(approximate.isTrained)
        XCTAssertThrowsError(try approximate.train(Array(vectors[0..<(10 * d)])), "fewer vectors than lists")
        try approximate.train(vectors)
        try approximate.add(vectors, ids: ids)
        approximate.probes = 8
        XCTAssertEqual(approximate.probes, 8)
        let queries = Array(vectors[0..<(200 * d)])
        func recall(_ index: FaissIndex) throws -> Double {
            let truth = try exact.search(queries, k: k), got = try index.search(queries, k: k)
            return zip(truth, got).reduce(0.0) { $0 + Double(Set($1.0.map(\.id)).intersection($1.1.map(\.id)).count) / Double(k) } / 200
        }
        let partial = try recall(approximate)
        XCTAssertGreaterThanOrEqual(partial, 0.99)
        approximate.probes = 1
        XCTAssertLessThan(try recall(approximate), partial, "one cell misses neighbours in the next cells")
        approximate.probes = 64
        XCTAssertEqual(try recall(approximate), 1, accuracy: 1e-12)
        XCTAssertEqual(try approximate.remove([1, 2, 99999]), 2)
        XCTAssertEqual(approximate.count, n - 2)
        XCTAssertFalse(try approximate.search(Array(vectors[0..<d]), k: k)[0].map(\.id).contains(1))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ivf-\(UUID().uuidString).faiss").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try approximate.write(to: path)
        let read = try FaissIndex(contentsOf: path)
        XCTAssertEqual(read.lists, 64)
        XCTAssertEqual(read.count, n - 2)
        XCTAssertEqual(try read.search(Array(vectors[(5 * d)..<(6 * d)]), k: 1)[0].first?.id, 6)
    }
}
