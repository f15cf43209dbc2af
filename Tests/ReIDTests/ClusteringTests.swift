import Foundation
import XCTest
@testable import ReID
@testable import Torch

final class ClusteringTests: XCTestCase {
    /// Builds neighbourhoods from 1-D points with distance |a − b| (all pairs listed).
    func line(_ points: [Float]) -> [[(index: Int32, distance: Float)]] {
        points.map { a in points.enumerated().map { (Int32($0.offset), Swift.abs(a - $0.element)) } }
    }

    func testDBSCANChainsNoiseAndBorderPoints() {
        // A chain 0,1,2,3 (spacing 1), a far noise point, and a tight triple whose member at 21.9
        // borders a core point but is not core itself.
        let points: [Float] = [0, 1, 2, 3, 50, 20, 20.5, 21, 21.9]
        let labels = DBSCAN(eps: 1.0, minSamples: 3).labels(line(points))
        XCTAssertEqual(labels[0], labels[3], "density-connected through the chain")
        XCTAssertEqual(labels[4], -1, "isolated point is an outlier")
        XCTAssertEqual(Set(labels[5...8]).count, 1, "border point 21.9 joins the cluster of its core neighbour")
        XCTAssertNotEqual(labels[0], labels[5])
        XCTAssertEqual(labels[0], 0, "clusters are numbered in order of first core point, as scikit-learn does")
        XCTAssertEqual(labels[5], 1)
        // With a larger minSamples the chain's ends stop being core but stay as border points.
        let strict = DBSCAN(eps: 1.0, minSamples: 4).labels(line(points))
        XCTAssertEqual(strict[4], -1)
        XCTAssertTrue(strict[0...3].allSatisfy { $0 == -1 }, "no point of the chain has 4 neighbours within 1")
    }

    func testJaccardIsSymmetricZeroOnTheDiagonalAndBounded() throws {
        Runtime.seed(1)
        let centres = try Tensor.randn([6, 16])
        let x = try Tensor.cat((0..<5).map { _ in try centres + Tensor.randn([6, 16]) * 0.2 }, dim: 0)
        let n = try JaccardDistance(k1: 6, k2: 2).neighbourhoods(x)
        for i in 0..<30 {
            XCTAssertEqual(n.distance(i, i), 0, accuracy: 1e-5)
            for (j, d) in n.rows[i] {
                XCTAssertGreaterThanOrEqual(d, 0)
                XCTAssertLessThanOrEqual(d, 1)
                XCTAssertEqual(d, n.distance(Int(j), i), accuracy: 1e-5, "symmetric")
            }
        }
        // Points from the same centre are closer than points from different centres.
        XCTAssertLessThan(n.distance(0, 6), n.distance(0, 1))
    }

    /// Item 0 (camera 0) has a same-camera neighbour at cosine 0.95 and a cross-camera one at
    /// 0.90: a penalty of 0.1 puts the cross-camera one first, and the item itself stays first.
    func testCameraPenaltyLetsCrossCameraNeighboursIn() throws {
        let angle: (Double) -> [Float] = { c in [Float(c), Float((1 - c * c).squareRoot()), 0] }
        var far = angle(0.2)
        far.swapAt(1, 2)
        let vectors = angle(1) + angle(0.95) + angle(0.9) + far
        let cameras = [0, 0, 1, 1]
        let plain = try CameraAwareNeighbours(penalty: 0).search(vectors, count: 4, dimension: 3, cameras: cameras, width: 3)
        XCTAssertEqual(Array(plain[0..<3]), [0, 1, 2])
        let aware = try CameraAwareNeighbours(penalty: 0.1).search(vectors, count: 4, dimension: 3, cameras: cameras, width: 3)
        XCTAssertEqual(Array(aware[0..<3]), [0, 2, 1])
        for i in 0..<4 { XCTAssertEqual(aware[i * 3], Int32(i), "each row starts with the item itself") }
        XCTAssertEqual(CameraAwareNeighbours(penalty: 0.1).similarity(cosine: 0.95, 0, 1, cameras: cameras), 0.85, accuracy: 1e-6)
        XCTAssertEqual(CameraAwareNeighbours(penalty: 0.1).similarity(cosine: 0.9, 0, 2, cameras: cameras), 0.9, accuracy: 1e-6)
        XCTAssertThrowsError(try CameraAwareNeighbours(penalty: 0.1).search(vectors, count: 4, dimension: 3, cameras: [0, 1], width: 3))
    }

    /// Two cameras whose look outweighs identity: a camera penalty yields clusters that span both
    /// cameras where the plain distance keeps every cluster inside one; a penalty without
    /// cameras is a clear error.
    func testCameraPenaltyMakesCrossCameraClusters() throws {
        Runtime.seed(3)
        let people = 12, perCamera = 4
        let identity = try Tensor.randn([people, 64]).normalized(dim: 1)
        let look = try Tensor.randn([2, 64]).normalized(dim: 1) * 1.2
        var rows: [Tensor] = [], cameras: [Int] = []
        for c in 0..<2 {
            for _ in 0..<perCamera {
                rows.append(try identity + look.narrow(dim: 0, start: c, length: 1) + Tensor.randn([people, 64]) * 0.02)
                cameras += Array(repeating: c, count: people)
            }
        }
        let x = try Tensor.cat(rows, dim: 0)
        func crossCameraClusters(_ penalty: Float) throws -> Int {
            let labels = try PseudoLabeling(k1: 8, k2: 2, eps: 0.6, minSamples: 3, cameraPenalty: penalty)
                .run(features: x, cameras: cameras).labels
            return Set(labels.filter { $0 >= 0 }).filter { label in
                Set(labels.indices.filter { labels[$0] == label }.map { cameras[$0] }).count > 1
            }.count
        }
        let plain = try crossCameraClusters(0), aware = try crossCameraClusters(0.3)
        XCTAssertEqual(plain, 0, "without the penalty every cluster stays inside one camera")
        XCTAssertGreaterThanOrEqual(aware, people / 2, "cross-camera clusters with the penalty")
        XCTAssertThrowsError(try PseudoLabeling(cameraPenalty: 0.1).run(features: x))
    }

    func testJaccardAndDBSCANMatchTheReferenceOnCuhk03() throws {
        let t = try Safetensors.load(try SharedData.file("fixtures/jaccard_cuhk03_train_osnet.safetensors"))
        let n = try JaccardDistance(k1: 30, k2: 6).neighbourhoods(t["features"]!)
        let subset = try t["subset_index"]!.ints()
        let ours = n.dense(subset), expected = try t["jaccard_subset"]!.floats()
        let worst = zip(ours, expected).map { Swift.abs($0 - $1) }.max()!
        XCTAssertLessThan(worst, 1e-4, "largest difference from PPLR's Jaccard block")
        let labels = DBSCAN(eps: 0.6, minSamples: 4).labels(n.rows)
        let golden = try t["dbscan_eps0.6_labels"]!.ints()
        XCTAssertGreaterThanOrEqual(ClusterStatistics.adjustedRandIndex(labels, golden), 0.999)
        let ours_ = ClusterStatistics(labels: labels), theirs = ClusterStatistics(labels: golden)
        XCTAssertEqual(Double(ours_.clusters), Double(theirs.clusters), accuracy: Double(theirs.clusters) * 0.01)
    }

    /// The exact kNN split over two single-threaded workers (how `reid cluster` runs it on two
    /// cores) gives the very lists of one search on the real fixture, near-ties included, so the
    /// golden Jaccard values above hold for it too.
    func testSplitExactSearchMatchesOneSearchOnCuhk03() throws {
        let t = try Safetensors.load(try SharedData.file("fixtures/jaccard_cuhk03_train_osnet.safetensors"))
        let x = try t["features"]!.to(.float32).normalized(dim: 1).contiguous()
        let n = x.size(0), d = x.size(1), flat = try x.floats()
        let one = try FaissSearch.selfNeighbours(flat, count: n, dimension: d, k: 30)
        XCTAssertEqual(try FaissSearch.selfNeighbours(flat, count: n, dimension: d, k: 30, workers: 2), one)
    }

    /// Cells too small to supply k neighbours leave no invalid index behind: the empty places
    /// repeat the item itself, after the neighbours that were found.
    func testInvertedFileSearchFillsShortListsWithTheItemItself() throws {
        Runtime.seed(4)
        let x = try Tensor.randn([120, 8]).normalized(dim: 1)
        let k = 12
        let labels = try InvertedFileNeighbours(lists: 60, probes: 1).search(x, k: k)
        XCTAssertEqual(labels.count, 120 * k)
        XCTAssertTrue(labels.allSatisfy { (0..<120).contains($0) })
        var short = 0
        for i in 0..<120 {
            let row = labels[(i * k)..<((i + 1) * k)]
            XCTAssertEqual(row.first, Int64(i), "item \(i) first in its own list")
            if row.last == Int64(i) { short += 1 }
        }
        XCTAssertGreaterThan(short, 0, "60 cells for 120 items, one probed: some lists must run short")
    }

    func testStatisticsByHand() {
        XCTAssertEqual(ClusterStatistics.adjustedRandIndex([0, 0, 1, 1], [5, 5, 7, 7]), 1, accuracy: 1e-12)
        XCTAssertEqual(ClusterStatistics.purity([0, 0, 0, 1], [1, 1, 2, 2]), 0.75, accuracy: 1e-12)
        let s = ClusterStatistics(labels: [0, 0, -1, 1], truth: [3, 3, 4, 5])
        XCTAssertEqual(s.clusters, 2)
        XCTAssertEqual(s.outliers, 1)
        XCTAssertEqual(s.ari!, 1, accuracy: 1e-12)
        XCTAssertEqual(s.nmi!, 1, accuracy: 1e-12)
    }
}

extension ClusteringTests {
    /// The inverted-file search used above `ivfThreshold` finds nearly the exact neighbours on
    /// clustered data, each item first in its own list, nearest first.
    func testInvertedFileSearchAgreesWithExactSearch() throws {
        Runtime.seed(3)
        let centres = try Tensor.randn([60, 32])
        let items = try centres.rows((0..<1500).map { $0 / 25 }) + Tensor.randn([1500, 32]) * 0.3
        let x = try items.normalized(dim: 1)
        let k = 10
        let exact = try NearestNeighbours.search(x, k: k, ivfThreshold: .max)
        let ivf = try NearestNeighbours.search(x, k: k, ivfThreshold: 0)
        XCTAssertEqual(ivf.count, 1500 * k)
        var found = 0
        for i in 0..<1500 {
            XCTAssertEqual(ivf[i * k], Int32(i), "item \(i) is not its own nearest neighbour")
            found += Set(ivf[(i * k)..<((i + 1) * k)]).intersection(exact[(i * k)..<((i + 1) * k)]).count
        }
        XCTAssertGreaterThan(Double(found) / Double(1500 * k), 0.95)
        // Neighbours come nearest first.
        let flat = try x.floats()
        func distance(_ a: Int, _ b: Int) -> Float {
            (0..<32).reduce(0) { $0 + (flat[a * 32 + $1] - flat[b * 32 + $1]) * (flat[a * 32 + $1] - flat[b * 32 + $1]) }
        }
        for i in stride(from: 0, to: 1500, by: 97) {
            let d = (0..<k).map { distance(i, Int(ivf[i * k + $0])) }
            for (a, b) in zip(d, d.dropFirst()) { XCTAssertLessThanOrEqual(a, b + 1e-5, "item \(i)") }
        }
    }
}
