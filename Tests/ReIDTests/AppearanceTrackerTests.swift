import Foundation
import XCTest
@testable import ReID
@testable import Torch

/// Linking boxes by motion and appearance: two walkers, one passing in front of the other.
final class AppearanceTrackerTests: XCTestCase {
    /// Walker 0 walks right at 10 px a frame from x = 5, stops for 5 frames at x = 105 exactly in
    /// front of walker 1, who stands there, and walks on. Boxes are 40×80. While they overlap the
    /// detector sees only the walker in front (walker 0). Motion cannot tell them apart where
    /// walker 0 stops: its box sits where the standing walker's track was last seen, and its own
    /// track predicts it further right. Returns, per frame, the boxes, the walker each shows and
    /// its embedding.
    func crossing(frames: Int = 25) -> [(boxes: [DetectionBox], walker: [Int], embeddings: [[Float]])] {
        var rng = SeededRandom(seed: 3)
        func feature(_ walker: Int) -> [Float] {
            (0..<4).map { Float($0 == walker ? 1 : 0) + 0.05 * Float(rng.uniform(-1, 1)) }
        }
        return (0..<frames).map { f in
            let x = f <= 10 ? 5 + 10 * f : (f < 15 ? 105 : 105 + 10 * (f - 14))
            let walking = DetectionBox(x: Double(x), y: 20, width: 40, height: 80)
            let standing = DetectionBox(x: 105, y: 20, width: 40, height: 80)
            let occluded = abs(walking.x - standing.x) < 40
            let walkers = occluded ? [0] : [0, 1]
            return ([walking, standing].prefix(walkers.count).map { $0 }, walkers, walkers.map(feature))
        }
    }

    /// The walker of every box of each track, by matching boxes back to the frame's boxes.
    func walkers(of tracks: [IoUTracker.Track], in frames: [(boxes: [DetectionBox], walker: [Int], embeddings: [[Float]])])
        -> [Set<Int>] {
        tracks.map { track in
            Set(track.boxes.map { frame, box in frames[frame].walker[frames[frame].boxes.firstIndex(of: box)!] })
        }
    }

    func testCrossingWalkersKeepTheirTracksByAppearance() throws {
        let frames = crossing()
        var overlapOnly = IoUTracker(minIoU: 0.3, maxGap: 15)
        var tracker = AppearanceTracker(minIoU: 0.3, maxGap: 15, maxAppearanceDistance: 0.4)
        for (f, frame) in frames.enumerated() {
            overlapOnly.update(frame: f, boxes: frame.boxes)
            try tracker.update(frame: f, boxes: frame.boxes, embeddings: frame.embeddings)
        }
        // The case is hard: linking by overlap alone hands the walker's boxes to the standing
        // walker's track once the walker stops where that track was last seen.
        XCTAssertTrue(walkers(of: overlapOnly.tracks, in: frames).contains { $0.count > 1 },
                      "overlap alone should mix the two walkers here: \(walkers(of: overlapOnly.tracks, in: frames))")
        let byAppearance = walkers(of: tracker.tracks, in: frames)
        XCTAssertEqual(byAppearance, [[0], [1]], "one track per walker, each with only its own boxes")
        XCTAssertEqual(tracker.tracks.map { $0.boxes.count }, [25, frames.filter { $0.walker.count == 2 }.count])
        XCTAssertGreaterThanOrEqual(tracker.split, 1, "the link overlap alone would have made is counted")
    }

    func testALostTrackIsReFoundByAppearanceWhereMotionCannotReachIt() throws {
        // A person standing at x = 0 is missed for 3 frames and reappears 15 px away (a box
        // shift the detector makes): IoU with the last box is below the gate, appearance agrees.
        var tracker = AppearanceTracker(minIoU: 0.7, maxGap: 5, maxAppearanceDistance: 0.4, maxJump: 0.5)
        let person: [Float] = [1, 0, 0]
        for f in 0..<3 { try tracker.update(frame: f, boxes: [DetectionBox(x: 0, y: 0, width: 40, height: 80)], embeddings: [person]) }
        try tracker.update(frame: 6, boxes: [DetectionBox(x: 15, y: 0, width: 40, height: 80),
                                             DetectionBox(x: 20, y: 0, width: 40, height: 80)],
                           embeddings: [[0, 1, 0], person])
        XCTAssertEqual(tracker.merged, 1)
        XCTAssertEqual(tracker.tracks.map { $0.boxes.count }, [4, 1])
        XCTAssertEqual(tracker.tracks[0].boxes.last!.box.x, 20, "the box that looks like the person continues its track")
    }

    func testOnAVideoDetectedEveryOtherFrameATrackSeenAtTheLastDetectionIsNotLost() throws {
        // Detected on frames 0, 2, 4, then a box too far for the motion gate at frame 6 that looks
        // like the person: with frameStep 2 the track was not missed, so appearance alone may not
        // take the box (a new track starts); with frameStep 1 the same gap reads as a miss.
        func run(frameStep: Int) throws -> AppearanceTracker {
            var tracker = AppearanceTracker(minIoU: 0.7, maxGap: 10, maxAppearanceDistance: 0.4, frameStep: frameStep)
            for f in [0, 2, 4] {
                try tracker.update(frame: f, boxes: [DetectionBox(x: 0, y: 0, width: 40, height: 80)], embeddings: [[1, 0]])
            }
            try tracker.update(frame: 6, boxes: [DetectionBox(x: 20, y: 0, width: 40, height: 80)], embeddings: [[1, 0]])
            return tracker
        }
        XCTAssertEqual(try run(frameStep: 2).tracks.map { $0.boxes.count }, [3, 1])
        XCTAssertEqual(try run(frameStep: 2).merged, 0)
        XCTAssertEqual(try run(frameStep: 1).tracks.map { $0.boxes.count }, [4])
    }

    func testBoxesAndEmbeddingsMustPair() {
        var tracker = AppearanceTracker()
        XCTAssertThrowsError(try tracker.update(frame: 0, boxes: [DetectionBox(x: 0, y: 0, width: 4, height: 8)],
                                                embeddings: [])) { error in
            XCTAssertTrue("\(error)".contains("1 boxes but 0 embeddings"), "\(error)")
        }
    }
}

extension AppearanceTrackerTests {
    /// A box's embedding is the model's feature of the crop as extraction computes it from a file.
    func testCropEmbedderMatchesExtractingTheSavedCrop() throws {
        var rng = SeededRandom(seed: 5)
        let frame = Image(height: 120, width: 90, channels: 3,
                          pixels: (0..<(120 * 90 * 3)).map { _ in UInt8(rng.uniform(0, 255)) })
        let box = DetectionBox(x: 10, y: 20, width: 40, height: 80)
        let path = NSTemporaryDirectory() + "crop-\(UUID().uuidString).png"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try frame.cropped(x: 10, y: 20, width: 40, height: 80)!.resized(height: 64, width: 32).write(to: path)
        let model = try LoadedModel.load("color-histogram", weights: nil)
        let fromFile = try FeatureExtractor(height: 64, width: 32).extract(paths: [path], embed: model.embed)
            .normalized(dim: 1).toArray(Float.self)
        let embedded = try CropEmbedder(model: model, height: 64, width: 32).embed(frame, boxes: [box, box])
        XCTAssertEqual(embedded.count, 2)
        for (a, b) in zip(embedded[1], fromFile) { XCTAssertEqual(a, b, accuracy: 1e-5) }
    }
}
