import Foundation
import XCTest
import ReIDTestSupport
@testable import ReIDGallery
import Torch

final class GalleryIndexTests: XCTestCase {
    var fixture: GalleryFixture!
    override func setUpWithError() throws { fixture = try GalleryFixture() }
    override func tearDown() { fixture.remove() }

    func testSHA256KnownVectors() {
        XCTAssertEqual(SHA256.hex(of: Data("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hex(of: Data()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        // 1,000 bytes crosses the 64-byte block boundary many times, in uneven pieces.
        var hasher = SHA256()
        let bytes = Data((0..<1000).map { UInt8($0 % 251) })
        hasher.update(bytes.prefix(7)); hasher.update(bytes.dropFirst(7).prefix(100)); hasher.update(bytes.dropFirst(107))
        XCTAssertEqual(hasher.finalize(), SHA256.hex(of: bytes))
    }

    func testEachCropFindsItselfFirstAndTheFaissFileIsReused() throws {
        let paths = try fixture.writeCrops(12)
        let (index, embedder) = try fixture.buildIndex()
        try index.persist()
        for path in paths.prefix(4) {
            let feature = try embedder.feature(of: Image(contentsOf: path))
            let hits = try GallerySearch.search(index, feature: feature, options: SearchOptions(top: 3))
            XCTAssertEqual(hits.first?.path, path)
            XCTAssertEqual(hits.first?.distance ?? 1, 0, accuracy: 1e-4)
            XCTAssertEqual(hits.map(\.rank), [1, 2, 3])
        }
        // Reopening with a current sidecar loads the file rather than rebuilding it.
        let reopened = try GalleryIndex(store: GalleryStore(path: fixture.db))
        XCTAssertFalse(reopened.isDirty)
        XCTAssertEqual(reopened.count, 12)
    }

    /// A gallery turns approximate when it reaches its threshold (the cells trained then), keeps
    /// finding each item's near-duplicates, reopens from its file, and goes back to exact search
    /// when opened with a threshold above its size.
    func testGalleryTurnsApproximateAtItsThreshold() throws {
        Runtime.seed(3)
        let d = 32, n = 1200
        let centres = try Tensor.randn([n / 10, d])
        let which = try Tensor((0..<n).map { Int64($0 / 10) })
        let flat = try (centres.indexSelect(dim: 0, index: which) + Tensor.randn([n, d]) * 0.35).normalized(dim: 1).floats()
        let items: [GalleryItem] = (0..<n).map { (i: Int) -> GalleryItem in
            let feature: [Float] = Array(flat[(i * d)..<((i + 1) * d)])
            return GalleryItem(path: String(format: "synthetic/%05d.jpg", i), camera: i % 2, time: Double(i), pid: i / 10,
                               feature: feature)
        }
        let store = try GalleryStore(path: fixture.db, create: true)
        var identity = try GalleryModelIdentity.fingerprint(model: "color-histogram", weights: nil, height: 64, width: 32)
        identity.dimension = d
        try store.setIdentity(identity)
        let index = try GalleryIndex(store: store, approximateFrom: 1000)
        try index.add(Array(items[0..<800]))
        XCTAssertFalse(index.searchKind.approximate, "800 items: exact")
        try index.add(Array(items[800...]))
        XCTAssertTrue(index.searchKind.approximate, "1,200 items: approximate")
        XCTAssertEqual(index.count, n)
        let plan = ApproximateSearchPlan.plan(items: n)
        XCTAssertEqual(index.searchKind.lists, plan.lists)
        XCTAssertEqual(index.searchKind.probes, plan.probes)
        // Each probe finds its own group of 10 (ids are 1-based, in insertion order).
        var found = 0
        for i in stride(from: 0, to: n, by: 37) {
            let hits = try index.nearest(items[i].feature, k: 10).map { Int($0.id) - 1 }
            found += hits.filter { $0 / 10 == i / 10 }.count
        }
        let probed = 10 * ((n + 36) / 37)
        XCTAssertGreaterThanOrEqual(Double(found) / Double(probed), 0.99)
        try index.persist()
        let reopened = try GalleryIndex(store: GalleryStore(path: fixture.db), approximateFrom: 1000)
        XCTAssertFalse(reopened.isDirty, "the approximate file is reused")
        XCTAssertTrue(reopened.searchKind.approximate)
        let exactAgain = try GalleryIndex(store: GalleryStore(path: fixture.db), persist: false, approximateFrom: 5000)
        XCTAssertTrue(exactAgain.isDirty, "rebuilt")
        XCTAssertFalse(exactAgain.searchKind.approximate)
        XCTAssertEqual(try exactAgain.nearest(items[5].feature, k: 1).first?.id, 6)
    }

    /// Uploads embedded at once (batched into shared forward passes) get the features they get alone.
    func testConcurrentEmbeddingsEqualOneByOne() throws {
        let paths = try fixture.writeCrops(12)
        let (_, embedder) = try fixture.buildIndex()
        let images = try paths.map { try Image(contentsOf: $0) }
        let alone = try images.map { try embedder.feature(of: $0) }
        let together = Locked<[Int: [Float]]>([:])
        DispatchQueue.concurrentPerform(iterations: images.count) { i in
            if let f = try? embedder.feature(of: images[i]) { together.mutate { $0[i] = f } }
        }
        XCTAssertEqual(together.value.count, images.count)
        for i in images.indices {
            let a = alone[i], b = together.value[i] ?? []
            XCTAssertEqual(a.count, b.count)
            XCTAssertLessThan(zip(a, b).map { abs($0 - $1) }.max() ?? 1, 1e-5, "image \(i)")
        }
    }

    func testStaleFaissFileIsRebuiltFromTheDatabase() throws {
        try fixture.writeCrops(6)
        let (index, _) = try fixture.buildIndex()
        try index.persist()
        // Another writer removes rows behind the faiss file's back.
        let store = try GalleryStore(path: fixture.db)
        try store.remove(ids: [1, 2])
        let reopened = try GalleryIndex(store: GalleryStore(path: fixture.db))
        XCTAssertEqual(reopened.count, 4, "a stale faiss file must be rebuilt from the database")
        XCTAssertTrue(try reopened.nearest(store.item(id: 3)!.feature, k: 6).allSatisfy { $0.id > 2 })
    }

    func testCameraExclusionAndScannerMetadata() throws {
        try fixture.writeCrops(9)
        let track = fixture.images + "/tracklets/cam2/007"
        try FileManager.default.createDirectory(atPath: track, withIntermediateDirectories: true)
        try GalleryFixture.crop(seed: 99).write(to: track + "/0001.jpg")
        let described = GalleryScanner.describe(track + "/0001.jpg")
        XCTAssertEqual(described.camera, 1, "cam2/ is the camera that c2 in a Market name is: index 1")
        XCTAssertEqual(GalleryScanner.describe(fixture.images + "/0000_c2s1_000000_00.png").camera, 1)
        XCTAssertEqual(described.trackID, 7)
        let (index, embedder) = try fixture.buildIndex()
        let query = try embedder.feature(of: Image(contentsOf: fixture.images + "/0000_c1s1_000000_00.png"))
        let hits = try GallerySearch.search(index, feature: query, options: SearchOptions(top: 5, excludeCamera: 0))
        XCTAssertEqual(hits.count, 5)
        XCTAssertTrue(hits.allSatisfy { $0.camera != 0 }, "\(hits.map(\.camera))")
        let reranked = try GallerySearch.search(index, feature: query, options: SearchOptions(top: 4, rerank: true))
        XCTAssertEqual(reranked.count, 4)
        XCTAssertEqual(reranked.first?.pid, 0, "the query's own crop stays first after re-ranking")
    }

    func testADifferentModelIsRefused() throws {
        try fixture.writeCrops(3)
        let (index, _) = try fixture.buildIndex()
        let other = try GalleryModelIdentity.fingerprint(model: "osnet_x0_25", weights: nil, height: 64, width: 32)
        XCTAssertThrowsError(try index.identity.requireSameModel(as: other, gallery: fixture.db)) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("color-histogram") && message.contains("osnet_x0_25") && message.contains("not comparable"), message)
        }
        let weights = fixture.root + "/w.bin"
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: weights))
        let a = try GalleryModelIdentity.fingerprint(model: "osnet_x0_25", weights: weights, height: 256, width: 128)
        try Data([1, 2, 4]).write(to: URL(fileURLWithPath: weights))
        let b = try GalleryModelIdentity.fingerprint(model: "osnet_x0_25", weights: weights, height: 256, width: 128)
        XCTAssertThrowsError(try a.requireSameModel(as: b, gallery: "g")) { XCTAssertTrue("\($0)".contains("weights sha256")) }
    }

    func testSearchCLIRefusesAnotherModel() throws {
        try fixture.writeCrops(4)
        _ = try fixture.buildIndex()
        let r = try ReidBinary.run(["search", "--db", fixture.db, "--query", fixture.images + "/0001_c2s1_000001_00.png",
                                 "--model", "osnet_x0_25"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains("not comparable"), r.err)
        let page = fixture.root + "/page.html"
        let ok = try ReidBinary.run(["search", "--db", fixture.db, "--query", fixture.images + "/0001_c2s1_000001_00.png",
                                  "--top", "2", "--json", "--html", page, "--camera-exclude", "--rerank"])
        XCTAssertEqual(ok.status, 0, ok.err)
        let json = try JSONSerialization.jsonObject(with: Data(ok.out.utf8)) as? [String: Any]
        let results = json?["results"] as? [[String: Any]]
        XCTAssertEqual(results?.count, 2)
        XCTAssertEqual(json?["excluded_camera"] as? Int, 1, "camera from the query's Market-1501 name")
        XCTAssertTrue(results?.allSatisfy { $0["camera"] as? Int != 1 } ?? false)
        let html = try String(contentsOfFile: page, encoding: .utf8)
        XCTAssertEqual(html.components(separatedBy: "data:image/jpeg;base64,").count - 1, 3, "query + 2 results inlined")
        let stats = try ReidBinary.run(["index", "stats", "--db", fixture.db, "--json"])
        XCTAssertEqual(stats.status, 0, stats.err)
        let summary = try JSONSerialization.jsonObject(with: Data(stats.out.utf8)) as? [String: Any]
        XCTAssertEqual(summary?["items"] as? Int, 4)
        XCTAssertEqual(summary?["malformed_rows"] as? Int, 0)
        XCTAssertEqual(summary?["model"] as? String, "color-histogram")
        let missing = try ReidBinary.run(["search", "--db", fixture.root + "/nope.sqlite", "--query", page])
        XCTAssertTrue(missing.err.contains("reid index build"), missing.err)
    }
}
