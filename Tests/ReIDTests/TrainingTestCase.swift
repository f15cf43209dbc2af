import Foundation
import XCTest
@testable import ReID

/// Shared by the training tests: a tiny synthetic dataset written once per process, and run
/// folders that are removed after each test.
class TrainingTestCase: XCTestCase {
    var runs: [String] = []
    override func tearDown() { runs.forEach { try? FileManager.default.removeItem(atPath: $0) } }

    func newRun() -> String {
        let path = NSTemporaryDirectory() + "reid-run-\(UUID().uuidString)"
        runs.append(path)
        return path
    }

    /// A 64×32 synthetic dataset of `ids` ids in 2 cameras, without views; `tracks` single-camera
    /// tracks per video of `frames` frames (0: none).
    static func tinyDataset(name: String, seed: UInt64, ids: Int = 12, tracks: Int = 0, frames: Int = 12) -> String {
        syntheticDataset(name: name, seed: seed, ids: ids, cameras: 2, size: (64, 32), tracks: tracks, frames: frames)
    }

    /// A synthetic dataset without views, written once per process; `size` nil keeps the images
    /// at the size `reid synth` writes them.
    static func syntheticDataset(name: String, seed: UInt64, ids: Int, cameras: Int, size: (height: Int, width: Int)?,
                                 tracks: Int = 0, frames: Int = 12) -> String {
        let root = NSTemporaryDirectory() + "reid-\(name)-\(ProcessInfo.processInfo.processIdentifier)"
        if !FileManager.default.fileExists(atPath: root + "/query") {
            var synth = SyntheticDataset(ids: ids, cameras: cameras, seed: seed)
            if let size {
                synth.height = size.height
                synth.width = size.width
            }
            synth.viewAngles = []
            synth.tracksPerVideo = tracks
            synth.framesPerTrack = frames
            _ = try? synth.write(to: root)
        }
        return root
    }
}
