import Foundation
import XCTest
import ReIDTestSupport
@testable import ReID
@testable import Torch

final class RankingMetricsTests: XCTestCase {
    func golden() throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: try SharedData.file("fixtures/golden.json")))
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    func labels(_ t: [String: Tensor]) throws -> EvaluationLabels {
        try EvaluationLabels(queryPids: t["query_pids"]!.ints(), galleryPids: t["gallery_pids"]!.ints(),
                             queryCams: t["query_cams"]!.ints(), galleryCams: t["gallery_cams"]!.ints())
    }

    func assertMatches(_ m: RankingMetrics, _ expected: [String: Any], file: StaticString = #filePath, line: UInt = #line) {
        for (key, value) in m.summary {
            XCTAssertEqual(value, (expected[key] as! NSNumber).doubleValue, accuracy: 1e-6, key, file: file, line: line)
        }
    }

    func testCuhk03CosineMatchesFastReid() throws {
        let t = try Safetensors.load(try SharedData.file("fixtures/eval_cuhk03_osnet.safetensors"))
        let gold = try golden()["cuhk03-pair1"] as! [String: Any]
        let fromDistmat = try RankingMetrics.evaluate(distances: t["distmat_cosine"]!.floats(), labels: labels(t))
        assertMatches(fromDistmat, gold["cosine"] as! [String: Any])
        let d = try DistanceMetric.cosine.matrix(query: t["query_features"]!, gallery: t["gallery_features"]!)
        let fromFeatures = try RankingMetrics.evaluate(distances: d.floats(), labels: labels(t))
        assertMatches(fromFeatures, gold["cosine"] as! [String: Any])
        let reranked = try RankingMetrics.evaluate(distances: t["distmat_rerank"]!.floats(), labels: labels(t))
        assertMatches(reranked, gold["cosine+rerank(k1=20,k2=6,lambda=0.3)"] as! [String: Any])
    }

    func testProtocolEdgeCases() throws {
        let t = try Safetensors.load(try SharedData.file("fixtures/eval_protocol_edge_cases.safetensors"))
        let m = try RankingMetrics.evaluate(distances: t["distmat"]!.floats(), labels: labels(t))
        assertMatches(m, try golden()["protocol_edge_cases"] as! [String: Any])
        XCTAssertLessThan(m.validQueries, m.totalQueries, "the query without a true match is skipped")
    }

    func testHandComputedCase() throws {
        // One query (pid 1, cam 0). Gallery: [pid1 cam0 (junk), pid2, pid1 cam1, pid0 distractor, pid1 cam1]
        let labels = try EvaluationLabels(queryPids: [1], galleryPids: [1, 2, 1, 0, 1], queryCams: [0],
                                          galleryCams: [0, 1, 1, 1, 1])
        let m = try RankingMetrics.evaluate(distances: [0.0, 0.1, 0.2, 0.3, 0.4], labels: labels, maxRank: 4)
        // Kept order: pid2 (miss), pid1 (hit, rank 2), pid0 (miss), pid1 (hit, rank 4)
        XCTAssertEqual(m.cmc, [0, 1, 1, 1])
        XCTAssertEqual(m.mAP, (1.0 / 2 + 2.0 / 4) / 2, accuracy: 1e-12)
        XCTAssertEqual(m.mINP, 2.0 / 4, accuracy: 1e-12)
    }

    func testMismatchedSizesAreClearErrors() throws {
        XCTAssertThrowsError(try EvaluationLabels(queryPids: [1, 2], galleryPids: [1], queryCams: [0], galleryCams: [0]))
        let labels = try EvaluationLabels(queryPids: [1], galleryPids: [1, 2], queryCams: [0], galleryCams: [1, 1])
        XCTAssertThrowsError(try RankingMetrics.evaluate(distances: [0.1], labels: labels)) {
            XCTAssertTrue("\($0)".contains("1 queries × 2 gallery"), "\($0)")
        }
    }
}

final class RerankingTests: XCTestCase {
    func testMatchesFastReidReRankingOnCuhk03() throws {
        let t = try Safetensors.load(try SharedData.file("fixtures/eval_cuhk03_osnet.safetensors"))
        let reranked = try KReciprocalReranking(k1: 20, k2: 6, lambda: 0.3)
            .distances(query: t["query_features"]!, gallery: t["gallery_features"]!)
        let expected = try t["distmat_rerank"]!.floats()
        let worst = zip(reranked, expected).map { Swift.abs($0 - $1) }.max()!
        XCTAssertLessThan(worst, 1e-4, "largest difference from the reference distmat")
        let labels = try EvaluationLabels(queryPids: t["query_pids"]!.ints(), galleryPids: t["gallery_pids"]!.ints(),
                                          queryCams: t["query_cams"]!.ints(), galleryCams: t["gallery_cams"]!.ints())
        let m = try RankingMetrics.evaluate(distances: reranked, labels: labels)
        let data = try Data(contentsOf: URL(fileURLWithPath: try SharedData.file("fixtures/golden.json")))
        let gold = ((try JSONSerialization.jsonObject(with: data) as! [String: Any])["cuhk03-pair1"] as! [String: Any])[
            "cosine+rerank(k1=20,k2=6,lambda=0.3)"] as! [String: Any]
        for (key, value) in m.summary {
            XCTAssertEqual(value, (gold[key] as! NSNumber).doubleValue, accuracy: 1e-4, key)
        }
    }

    func testSmallBlocksGiveTheSameResult() throws {
        Runtime.seed(3)
        let q = try Tensor.randn([7, 8]), g = try Tensor.randn([30, 8])
        var a = KReciprocalReranking(k1: 5, k2: 3, lambda: 0.3)
        let full = try a.distances(query: q, gallery: g)
        a.blockRows = 4
        // Equal up to float rounding: BLAS may sum a 4-row block's products in another order than
        // a 7-row one's (OpenBLAS picks kernels per shape and CPU).
        let blocked = try a.distances(query: q, gallery: g)
        XCTAssertEqual(full.count, blocked.count)
        for (x, y) in zip(full, blocked) { XCTAssertEqual(x, y, accuracy: 1e-6) }
        // Euclidean: the scan's "farthest" is a row maximum, not a minimum similarity.
        var e = KReciprocalReranking(k1: 5, k2: 3, lambda: 0.3, metric: .euclidean)
        let wholeE = try e.distances(query: q, gallery: g)
        e.blockRows = 3
        let blockedE = try e.distances(query: q, gallery: g)
        for (x, y) in zip(wholeE, blockedE) { XCTAssertEqual(x, y, accuracy: 1e-5) }
        XCTAssertNotEqual(wholeE, full)
        XCTAssertThrowsError(try KReciprocalReranking(k1: 0).distances(query: q, gallery: g))
    }

    /// `reid bench rerank` as a user runs it: same distances as the library, and the process runs
    /// with OpenBLAS's widest kernels for this CPU (it restarts itself where Debian's OpenBLAS chose
    /// narrow ones; `BLASKernels`).
    func testBenchCommandRerankWithTheWidestBLASKernels() throws {
        Runtime.seed(5)
        let q = try Tensor.randn([9, 16]), g = try Tensor.randn([40, 16])
        let folder = NSTemporaryDirectory() + "rerank-cli-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Safetensors.save(["query_features": q, "gallery_features": g], to: folder + "/f.safetensors")
        let r = try ReidBinary.run(["bench", "rerank", "--features", folder + "/f.safetensors", "--block-rows", "16",
                                    "--out", folder + "/d.safetensors", "--json"])
        XCTAssertEqual(r.status, 0, r.err)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        XCTAssertEqual(json["blas_kernels"] as? String, BLASKernels.expected ?? "not OpenBLAS")
        let fromCLI = try Safetensors.load(folder + "/d.safetensors")["distmat"]!.floats()
        let fromLibrary = try KReciprocalReranking(k1: 20, k2: 6, lambda: 0.3).distances(query: q, gallery: g)
        XCTAssertEqual(fromCLI.count, fromLibrary.count)
        for (x, y) in zip(fromCLI, fromLibrary) { XCTAssertEqual(x, y, accuracy: 1e-5) }
    }
}

final class EvaluationInputTests: XCTestCase {
    func testMismatchedTensorSizesNameTheFile() throws {
        let path = NSTemporaryDirectory() + "mismatch-\(UUID().uuidString).safetensors"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Safetensors.save([
            "distmat": try Tensor.zeros([2, 3]),
            "query_pids": try Tensor([1, 2] as [Int64]), "query_cams": try Tensor([0, 0] as [Int64]),
            "gallery_pids": try Tensor([1, 2] as [Int64]), "gallery_cams": try Tensor([1, 1] as [Int64]),
        ], to: path)
        XCTAssertThrowsError(try EvaluationInputs.loadDistances(path)) {
            XCTAssertTrue("\($0)".contains(path) && "\($0)".contains("distmat is [2, 3]"), "\($0)")
        }
        try Safetensors.save(["features": try Tensor.zeros([2, 3])], to: path)
        XCTAssertThrowsError(try EvaluationInputs.load(features: path)) {
            XCTAssertTrue("\($0)".contains("lacks query_features"), "\($0)")
        }
    }
}
