import XCTest
@testable import ReID

final class SamplerTests: XCTestCase {
    func testPKBatchesHoldPIdentitiesTimesKImages() {
        // ids 0…5 with 1, 3, 4, 6, 8 and 2 images; one unlabeled image (−1) never drawn.
        let counts = [1, 3, 4, 6, 8, 2]
        var labels: [Int] = []
        for (id, n) in counts.enumerated() { labels += Array(repeating: id, count: n) }
        labels.append(-1)
        let sampler = RandomIdentitySampler(labels: labels, identitiesPerBatch: 3, instances: 4, seed: 7)
        XCTAssertEqual(sampler.batchSize, 12)
        XCTAssertEqual(sampler.identities, 6)
        let order = sampler.indices(epoch: 0)
        XCTAssertEqual(order.count, 6 * 4, "each id once per epoch, K images each")
        XCTAssertFalse(order.contains(labels.count - 1), "unlabeled images are never drawn")
        let batches = sampler.batches(epoch: 0)
        XCTAssertEqual(batches.count, 2)
        var seen: Set<Int> = []
        for batch in batches {
            XCTAssertEqual(batch.count, 12)
            let ids = batch.map { labels[$0] }
            XCTAssertEqual(Set(ids).count, 3)
            for id in Set(ids) {
                XCTAssertEqual(ids.filter { $0 == id }.count, 4)
                let images = batch.filter { labels[$0] == id }
                if counts[id] >= 4 { XCTAssertEqual(Set(images).count, 4, "no repeats when an id has ≥ K images") }
            }
            seen.formUnion(ids)
        }
        XCTAssertEqual(seen, Set(0..<6))
        // Deterministic per (seed, epoch); epochs differ.
        XCTAssertEqual(order, RandomIdentitySampler(labels: labels, identitiesPerBatch: 3, instances: 4, seed: 7).indices(epoch: 0))
        XCTAssertNotEqual(order, sampler.indices(epoch: 1))
        // A last, shorter batch is dropped unless asked for.
        let five = RandomIdentitySampler(labels: labels, identitiesPerBatch: 4, instances: 2, seed: 1)
        XCTAssertEqual(five.batches(epoch: 0).count, 1)
        XCTAssertEqual(five.batches(epoch: 0, dropLast: false).map(\.count), [8, 4])
    }

    func testCrossCameraSamplerPrefersOtherCameras() {
        // id 0: six images in camera 0 and two in camera 1; id 1: three images, all camera 2;
        // id 2: a single image.
        let labels = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 2]
        let cameras = [0, 0, 0, 0, 0, 0, 1, 1, 2, 2, 2, 0]
        let k = 4
        for epoch in 0..<20 {
            let sampler = CrossCameraSampler(labels: labels, cameras: cameras, identitiesPerBatch: 2, instances: k, seed: 3)
            let order = sampler.indices(epoch: epoch)
            XCTAssertEqual(order.count, 2 * k + 1, "the one-image id contributes its anchor alone (reference)")
            var i = 0
            while i < order.count {
                let anchor = order[i]
                let id = labels[anchor]
                let group = id == 2 ? [anchor] : Array(order[i..<(i + k)])
                XCTAssertTrue(group.allSatisfy { labels[$0] == id })
                let companions = group.dropFirst()
                if id == 0 {
                    // Every companion is from the other camera, whichever camera the anchor is in.
                    XCTAssertTrue(companions.allSatisfy { cameras[$0] != cameras[anchor] }, "epoch \(epoch): \(group)")
                } else if id == 1 {
                    XCTAssertTrue(companions.allSatisfy { $0 != anchor }, "one camera only: other images of the id")
                }
                i += group.count
            }
        }
        // distinctFirst: distinct other-camera images first, then same-camera ones; groups are K long.
        let filled = CrossCameraSampler(labels: labels, cameras: cameras, identitiesPerBatch: 2, instances: k, seed: 3,
                                        fill: .distinctFirst)
        for epoch in 0..<20 {
            let order = filled.indices(epoch: epoch)
            XCTAssertEqual(order.count, 3 * k)
            for g in stride(from: 0, to: order.count, by: k) {
                let group = Array(order[g..<(g + k)])
                let anchor = group[0]
                if labels[anchor] == 0 && cameras[anchor] == 0 {
                    XCTAssertEqual(Array(group[1...2]).map { cameras[$0] }, [1, 1], "both camera-1 images first")
                    XCTAssertEqual(Set(group).count, k, "then a distinct camera-0 image")
                }
                if labels[anchor] == 2 { XCTAssertEqual(group, [anchor, anchor, anchor, anchor]) }
            }
        }
    }

    func testSamplersReadLabelsFromRecords() {
        let records = [ImageRecord(path: "a", pid: 10, camera: 0, label: 0), ImageRecord(path: "b", pid: 10, camera: 1, label: 0),
                       ImageRecord(path: "c", pid: 20, camera: 0, label: 1), ImageRecord(path: "d", pid: -1, camera: 0)]
        let sampler = RandomIdentitySampler(records: records, identitiesPerBatch: 2, instances: 2)
        XCTAssertEqual(sampler.identities, 2)
        XCTAssertFalse(sampler.indices(epoch: 0).contains(3))
        let cross = CrossCameraSampler(records: records, identitiesPerBatch: 2, instances: 2)
        XCTAssertEqual(cross.identities, 2)
    }
}
