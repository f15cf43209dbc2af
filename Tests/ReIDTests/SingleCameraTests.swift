import Foundation
import XCTest
import ReIDTestSupport
@testable import ReID
@testable import Torch

/// Single-camera data: per-video clustering, the mixed sampler, the folder layouts, MOT crops
/// and HOG tracking on OpenCV's vtest.avi.
final class SingleCameraTests: XCTestCase {
    var folders: [String] = []
    override func tearDown() { folders.forEach { try? FileManager.default.removeItem(atPath: $0) } }

    func temporaryFolder() -> String {
        let path = NSTemporaryDirectory() + "reid-single-\(UUID().uuidString)"
        folders.append(path)
        return path
    }

    /// Three tight groups of six points in 4-D.
    func groups(noise: Float) -> [[Float]] {
        var rng = SeededRandom(seed: 1)
        let centres: [[Float]] = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]]
        return centres.flatMap { c in (0..<6).map { _ in c.map { $0 + noise * Float(rng.uniform(-1, 1)) } } }
    }

    func testPerVideoClusteringNeverMixesVideos() throws {
        // Video 1 holds exact copies of video 0's points, so any clustering over both would join them.
        let points = groups(noise: 0.05)
        let tiny: [[Float]] = [[1, 0, 0, 0], [1, 0, 0, 0]]
        let all = points + points + tiny
        let videos = [Int](repeating: 0, count: 18) + [Int](repeating: 1, count: 18) + [2, 2]
        let features = try Tensor(all.flatMap { $0 }, shape: [all.count, 4])
        let clustering = PerVideoClustering(PseudoLabeling(k1: 8, k2: 2, eps: 0.6, minSamples: 3))
        let result = try clustering.run(features: features, videos: videos)
        var members: [Int: Set<Int>] = [:]
        for (label, video) in zip(result.labels, videos) where label >= 0 { members[label, default: []].insert(video) }
        XCTAssertEqual(members.count, 6, "three clusters in each of the two videos: \(result.labels)")
        XCTAssertTrue(members.values.allSatisfy { $0.count == 1 }, "a pseudo-identity spans videos: \(result.labels)")
        for (label, video) in members { XCTAssertEqual(result.clusterVideos[label], video.first) }
        XCTAssertEqual(result.labels.suffix(2), [-1, -1], "a video too small to cluster stays unlabeled")
        // Clustered together, the copies do share clusters: the per-video split is what separates them.
        let joint = try PseudoLabeling(k1: 8, k2: 2, eps: 0.6, minSamples: 3)
            .run(features: features.narrow(dim: 0, start: 0, length: 36)).labels
        let crossing = (0..<18).filter { joint[$0] >= 0 && joint[$0] == joint[$0 + 18] }
        XCTAssertFalse(crossing.isEmpty, "joint clustering should put copies together: \(joint)")
    }

    func testMixedSamplerPutsBothKindsInEveryBatchWithTwoViews() throws {
        let labeled = (0..<40).map { $0 / 4 }            // 10 identities × 4 images
        let unlabeled = (0..<30).map { $0 < 3 ? -1 : $0 / 5 }  // 6 pseudo-identities, 3 outliers
        let sampler = MixedSampler(labeledLabels: labeled, unlabeledLabels: unlabeled, labeledIdentities: 2,
                                   unlabeledIdentities: 1, instances: 2, views: 2, seed: 4)
        let batches = sampler.batches(epoch: 0)
        XCTAssertEqual(batches.count, 5, "one pass over 10 labeled identities, 2 per batch")
        for batch in batches {
            XCTAssertEqual(batch.count, sampler.batchSize)
            XCTAssertEqual(batch.count, 12)
            XCTAssertEqual(batch.filter { $0 < 40 }.count, 8, "2 labeled ids × 2 images × 2 views")
            let pseudo = batch.filter { $0 >= 40 }.map { $0 - 40 }
            XCTAssertEqual(pseudo.count, 4)
            XCTAssertTrue(pseudo.allSatisfy { unlabeled[$0] >= 0 }, "outliers are never drawn")
            XCTAssertEqual(Set(pseudo.map { unlabeled[$0] }).count, 1)
            for pair in stride(from: 0, to: batch.count, by: 2) { XCTAssertEqual(batch[pair], batch[pair + 1]) }
        }
        XCTAssertEqual(sampler.batches(epoch: 0), batches, "the same epoch gives the same batches")
        XCTAssertNotEqual(sampler.batches(epoch: 1), batches)
        let labeledOnly = MixedSampler(labeledLabels: labeled, unlabeledLabels: [], labeledIdentities: 3,
                                       unlabeledIdentities: 0, instances: 2, views: 1)
        XCTAssertTrue(labeledOnly.batches(epoch: 0).allSatisfy { $0.allSatisfy { $0 < 40 } && $0.count == 6 })
    }

    func writeImage(_ path: String, grey: UInt8 = 100) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try Image(height: 16, width: 8, fill: grey).write(to: path)
    }

    func testSingleCameraFolderReadsTracksAndUntrackedCrops() throws {
        let root = temporaryFolder()
        try writeImage(root + "/street/0000/000001.jpg")
        try writeImage(root + "/street/0000/000002.jpg")
        try writeImage(root + "/street/0001/000005.jpg")
        try writeImage(root + "/crops/a.jpg")
        try writeImage(root + "/crops/b.png")
        try writeImage(root + "/.hall.partial/0000/000001.jpg")
        try FileManager.default.createDirectory(atPath: root + "/empty", withIntermediateDirectories: true)
        let data = try SingleCameraData(root: root)
        XCTAssertEqual(data.videos, ["crops", "street"])
        XCTAssertEqual(data.records.count, 5)
        XCTAssertEqual(data.records.map(\.camera), [0, 0, 1, 1, 1])
        XCTAssertEqual(data.tracks, [-1, -1, 0, 0, 1])
        XCTAssertTrue(data.records.allSatisfy { $0.pid == -1 })
        XCTAssertEqual(data.recordsByVideo, [[0, 1], [2, 3, 4]])
        XCTAssertThrowsError(try SingleCameraData(root: root + "/missing")) {
            XCTAssertTrue("\($0)".contains("no such folder"), "\($0)")
        }
        XCTAssertThrowsError(try SingleCameraData(root: root + "/empty")) {
            XCTAssertTrue("\($0)".contains("no video folders"), "\($0)")
        }
    }

    func testMOTGroundTruthCrops() throws {
        let seq = temporaryFolder() + "/MOT-toy"
        let out = temporaryFolder()
        for frame in 1...12 {
            var image = Image(height: 120, width: 160, fill: 30)
            try image.fillRectangle(x: 10 + frame, y: 10, width: 31, height: 81, color: .white)
            try FileManager.default.createDirectory(atPath: seq + "/img1", withIntermediateDirectories: true)
            try image.write(to: String(format: "%@/img1/%06d.jpg", seq, frame))
        }
        var gt = ""
        for frame in 1...12 {
            gt += "\(frame),1,\(10 + frame),10,31,81,1,1,1\n"      // kept: 12 crops, 81 px tall
            if frame <= 4 { gt += "\(frame),2,100,10,30,80,1,1,1\n" }   // too short
            gt += "\(frame),3,100,60,10,20,1,1,1\n"                    // too small
            gt += "\(frame),4,60,10,30,80,0,1,1\n"                     // flag 0: ignored
            gt += "\(frame),5,60,10,30,80,1,3,1\n"                     // class 3: not a pedestrian
        }
        try FileManager.default.createDirectory(atPath: seq + "/gt", withIntermediateDirectories: true)
        try gt.write(toFile: seq + "/gt/gt.txt", atomically: true, encoding: .utf8)
        var options = TrackletOptions()
        options.minLength = 10
        options.minHeight = 64
        let summary = try MOTTracklets.extract(sequence: seq, out: out, options: options, quiet: true)
        XCTAssertEqual(summary.tracksFound, 3)
        XCTAssertEqual(summary.kept, [12])
        XCTAssertEqual(summary.droppedShort, 1)
        XCTAssertEqual(summary.droppedSmall, 1)
        let crops = try ImageFolder.list(out + "/MOT-toy/0000")
        XCTAssertEqual(crops.count, 12)
        XCTAssertEqual(crops.first.map { ($0 as NSString).lastPathComponent }, "000001.jpg")
        let crop = try Image(contentsOf: crops[0])
        XCTAssertEqual(crop.height, 81)
        XCTAssertEqual(crop.width, 31)
        XCTAssertGreaterThan(crop.pixels.map(Int.init).reduce(0, +) / crop.pixels.count, 200, "the crop is the white box")
        XCTAssertEqual(try SingleCameraData(root: out).videos, ["MOT-toy"])
        XCTAssertThrowsError(try MOTTracklets.extract(sequence: out, out: out, quiet: true)) {
            XCTAssertTrue("\($0)".contains("gt/gt.txt"), "\($0)")
        }
    }

    func testIoUTrackerLinksOverlappingBoxesAndSplitsAfterAGap() {
        var tracker = IoUTracker(minIoU: 0.3, maxGap: 1)
        for frame in 0..<5 {
            tracker.update(frame: frame, boxes: [DetectionBox(x: Double(frame), y: 0, width: 10, height: 20),
                                                 DetectionBox(x: 100, y: 0, width: 10, height: 20)])
        }
        tracker.update(frame: 8, boxes: [DetectionBox(x: 100, y: 0, width: 10, height: 20)])
        let tracks = tracker.tracks
        XCTAssertEqual(tracks.map { $0.boxes.count }, [5, 5, 1], "the box after a 3-frame gap starts a new track")
        XCTAssertEqual(tracks[0].boxes.map(\.frame), [0, 1, 2, 3, 4])
    }

    func testTrackletsFromVTestAreManyLongTracksOfPeople() throws {
        let video = "/usr/share/doc/opencv-doc/examples/data/vtest.avi"
        guard FileManager.default.fileExists(atPath: video) else {
            throw XCTSkip("\(video) not found: install Debian's opencv-doc (scripts/bootstrap.sh does)")
        }
        let out = temporaryFolder()
        var options = TrackletOptions()
        options.frameStep = 2
        options.maxFrames = 400
        let summary = try VideoTracklets.extract(video: video, out: out, options: options, quiet: true)
        let long = summary.kept.filter { $0 >= 10 }
        XCTAssertGreaterThanOrEqual(long.count, 5, "tracks of ≥ 10 crops: \(summary)")
        let data = try SingleCameraData(root: out)
        XCTAssertEqual(data.videos, ["vtest"])
        XCTAssertEqual(data.records.count, summary.crops)
        XCTAssertEqual(Set(data.tracks).count, summary.kept.count)
        // Crops are upright person boxes: taller than wide, and at least the minimum height.
        for path in data.records.map(\.path).prefix(50) {
            let crop = try Image(contentsOf: path)
            XCTAssertGreaterThan(crop.height, crop.width, path)
        }
    }
}

extension SingleCameraTests {
    /// Every track gets a row: 5 tracks at 2 a sheet are 3 sheets of 2, 2 and 1 rows, each row
    /// showing its own track's crops (grey level = track number here).
    func testContactSheetsShowEveryTrackAcrossSheets() throws {
        let root = temporaryFolder()
        for track in 0..<5 {
            for frame in 0..<3 { try writeImage(root + "/street/000\(track)/00000\(frame).png", grey: UInt8(40 * track + 20)) }
        }
        let out = root + "-sheets/street.png"
        folders.append(root + "-sheets")
        try FileManager.default.createDirectory(atPath: root + "-sheets", withIntermediateDirectories: true)
        let sheets = try TrackletMontage.write(videoFolder: root + "/street", to: out, tracksPerSheet: 2, perTrack: 3,
                                               cellHeight: 8, cellWidth: 4)
        XCTAssertEqual(sheets, [out, root + "-sheets/street-2.png", root + "-sheets/street-3.png"])
        let rowHeight = 8 + 2
        for (page, rows) in [2, 2, 1].enumerated() {
            let image = try Image(contentsOf: sheets[page])
            XCTAssertEqual(image.height, rows * rowHeight)
            XCTAssertEqual(image.width, 3 * (4 + 2))
            for row in 0..<rows {
                let track = page * 2 + row
                let pixel = image.pixels[((row * rowHeight + 4) * image.width + 1) * 3]
                XCTAssertEqual(Int(pixel), 40 * track + 20, accuracy: 2, "sheet \(page + 1), row \(row)")
            }
        }
        XCTAssertEqual(TrackletMontage.sheetPath("a/tracks", page: 1), "a/tracks-2")
        let cli = try ReidBinary.run(["dataset", "montage", root + "/street", "--out", root + "-sheets/cli.png",
                                      "--tracks-per-sheet", "4", "--json"])
        XCTAssertEqual(cli.status, 0, cli.err)
        XCTAssertTrue(cli.out.contains("cli-2.png") && !cli.out.contains("cli-3.png"), cli.out)
        let notVideo = try ReidBinary.run(["dataset", "montage", root + "/street/0000", "--out", root + "-sheets/x.png"])
        XCTAssertNotEqual(notVideo.status, 0)
        XCTAssertTrue(notVideo.err.contains("no track folders"), notVideo.err)
    }

    func testTrackletsCommandErrors() throws {
        let both = try ReidBinary.run(["tracklets", "--video", "a.avi", "--mot", "seq", "--out", "x"])
        XCTAssertNotEqual(both.status, 0)
        XCTAssertTrue(both.err.contains("exactly one of --video"), both.err)
        let missing = try ReidBinary.run(["tracklets", "--video", "/nonexistent/street.avi", "--out", temporaryFolder()])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.err.contains("/nonexistent/street.avi") && missing.err.contains("no such video file"), missing.err)
        let noGT = try ReidBinary.run(["tracklets", "--mot", temporaryFolder(), "--out", temporaryFolder()])
        XCTAssertNotEqual(noGT.status, 0)
        XCTAssertTrue(noGT.err.contains("gt/gt.txt"), noGT.err)
        let motWithModel = try ReidBinary.run(["tracklets", "--mot", "seq", "--out", "x", "--model", "osnet_x0_25", "--random-init"])
        XCTAssertNotEqual(motWithModel.status, 0)
        XCTAssertTrue(motWithModel.err.contains("only used with --video"), motWithModel.err)
        let distance = try ReidBinary.run(["tracklets", "--video", "a.avi", "--out", "x", "--max-appearance-distance", "3"])
        XCTAssertNotEqual(distance.status, 0)
        XCTAssertTrue(distance.err.contains("--max-appearance-distance"), distance.err)
        let help = try ReidBinary.run(["tracklets", "--help"]).out
        XCTAssertTrue(help.contains("Examples:") && help.contains("--min-length"), help)
    }
}
