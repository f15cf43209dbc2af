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
}
