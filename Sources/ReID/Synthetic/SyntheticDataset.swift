import Foundation
import Torch

/// The built-in procedural multi-camera pedestrian dataset, written in Market-1501 layout.
///
/// Identities 1…ids/2 are for training, the rest for testing; every identity is seen by at
/// least two cameras. Query holds the first image of each test identity in each camera; the
/// gallery holds the rest. Besides the images it writes:
/// - `mask/<name>`: the person's mask (white on black);
/// - `nv/<deg>/<name>`: for training images, ground-truth novel views of the same person in the
///   same place, turned by `deg` degrees (GCL's layout for generated views);
/// - `tracklets/<video>/<track>/<frame>.jpg`: single-camera tracks of other, unlabeled people
///   walking past each camera (one video per camera), for ReMix-style training.
public struct SyntheticDataset {
    public var ids: Int
    public var cameras: Int
    public var seed: UInt64
    public var height = 128
    public var width = 64
    /// Images of one identity in one camera.
    public var imagesPerCamera: ClosedRange<Int> = 3...5
    /// Body rotations written under nv/ for training images (empty: none).
    public var viewAngles: [Int] = [90, 135, 180, 270]
    /// Tracks per camera video and frames per track under tracklets/ (0 tracks: none).
    public var tracksPerVideo = 6
    public var framesPerTrack = 12
    /// Seed of the camera network alone (nil: `seed`). Two datasets with different `seed`s and one
    /// `cameraSeed` show different people in the same cameras: a labeled source and an unlabeled
    /// target of one camera network.
    public var cameraSeed: UInt64?

    public init(ids: Int = 200, cameras: Int = 4, seed: UInt64 = 0) {
        self.ids = ids
        self.cameras = cameras
        self.seed = seed
    }

    public struct Summary: Codable, Sendable {
        public var ids: Int
        public var cameras: Int
        public var train: Int
        public var query: Int
        public var gallery: Int
        public var views: Int
        public var tracklets: Int
        public var seconds: Double
    }

    /// One rendered view: the image and its person mask.
    struct Shot {
        var pid: Int
        var camera: Int
        var frame: Int
        var image: Image
        var mask: Image
    }

    /// Where and how large the person appears in one shot.
    struct Placement {
        var scale: Double
        var top: Double
        var centerX: Double
        var noiseSeed: UInt64

        init(camera: SyntheticCamera, height: Int, width: Int, rng: inout SeededRandom) {
            scale = rng.uniform(camera.scaleRange.lowerBound, camera.scaleRange.upperBound)
            top = rng.uniform(0.02, max(0.03, 1 - scale - 0.02)) * Double(height)
            centerX = Double(width) / 2 + rng.uniform(-0.08, 0.08) * Double(width)
            noiseSeed = rng.next()
        }
    }

    func render(person: SyntheticPerson, camera: SyntheticCamera, angle: Double, phase: Double,
                placement: Placement) -> (Image, Image) {
        var canvas = Canvas(height: height, width: width)
        var mask = Canvas(height: height, width: width)
        camera.background(on: &canvas)
        person.draw(on: &canvas, mask: &mask, angle: angle, phase: phase, centerX: placement.centerX,
                    top: placement.top, scale: placement.scale)
        var noise = SeededRandom(seed: placement.noiseSeed)
        camera.finish(&canvas, using: &noise)
        let binary = mask.pixels.chunks(3).map { $0.contains { $0 > 0 } ? UInt8(255) : 0 }
        return (canvas.image, Image(height: height, width: width, channels: 1, pixels: binary))
    }

    /// Writes the dataset under `root` (created if needed) and returns its sizes.
    @discardableResult
    public func write(to root: String) throws -> Summary {
        guard ids >= 4, cameras >= 2 else {
            throw ReIDError.invalidOption("synth needs at least 4 ids and 2 cameras (got \(ids) ids, \(cameras) cameras)")
        }
        let start = Date()
        var rng = SeededRandom(seed: seed)
        var cams = (0..<cameras).map { _ in SyntheticCamera(using: &rng) }
        if let cameraSeed {
            // The people still come from `seed`'s stream (drawn after its cameras), as without it.
            var cameraRNG = SeededRandom(seed: cameraSeed)
            cams = (0..<cameras).map { _ in SyntheticCamera(using: &cameraRNG) }
        }
        let people = (0..<ids).map { _ in SyntheticPerson(using: &rng) }
        let fm = FileManager.default
        for folder in ["bounding_box_train", "query", "bounding_box_test", "mask"] + viewAngles.map({ "nv/\($0)" }) {
            try fm.createDirectory(atPath: root + "/" + folder, withIntermediateDirectories: true)
        }
        var summary = Summary(ids: ids, cameras: cameras, train: 0, query: 0, gallery: 0, views: 0, tracklets: 0, seconds: 0)
        let trainIds = ids / 2
        for (index, person) in people.enumerated() {
            let pid = index + 1
            var seen = Array(0..<cameras).shuffled(using: &rng)
            seen = Array(seen.prefix(rng.int(2...cameras)))
            var frame = 0
            for camera in seen.sorted() {
                let count = rng.int(imagesPerCamera)
                let baseAngle = [0.0, 90, 180, 270].randomElement(using: &rng)!
                for k in 0..<count {
                    frame += 1
                    let angle = baseAngle + rng.uniform(-30, 30)
                    let phase = rng.uniform(0, 1)
                    let placement = Placement(camera: cams[camera], height: height, width: width, rng: &rng)
                    let (image, mask) = render(person: person, camera: cams[camera], angle: angle, phase: phase,
                                               placement: placement)
                    let name = String(format: "%04d_c%ds1_%06d_00.jpg", pid, camera + 1, frame)
                    let folder: String
                    if pid <= trainIds {
                        folder = "bounding_box_train"
                        summary.train += 1
                    } else if k == 0 {
                        folder = "query"
                        summary.query += 1
                    } else {
                        folder = "bounding_box_test"
                        summary.gallery += 1
                    }
                    try image.write(to: "\(root)/\(folder)/\(name)")
                    try mask.write(to: "\(root)/mask/\(name)")
                    if pid <= trainIds {
                        for turn in viewAngles {
                            let (view, _) = render(person: person, camera: cams[camera], angle: angle + Double(turn),
                                                   phase: phase, placement: placement)
                            try view.write(to: "\(root)/nv/\(turn)/\(name)")
                            summary.views += 1
                        }
                    }
                }
            }
        }
        summary.tracklets = try writeTracklets(root: root, cameras: cams, rng: &rng)
        summary.seconds = Date().timeIntervalSince(start)
        return summary
    }

    /// Unlabeled people walking past each camera: per video (camera), `tracksPerVideo` tracks of
    /// `framesPerTrack` frames with a slowly turning body, an advancing gait and a drifting position.
    func writeTracklets(root: String, cameras: [SyntheticCamera], rng: inout SeededRandom) throws -> Int {
        guard tracksPerVideo > 0, framesPerTrack > 0 else { return 0 }
        var written = 0
        for (c, camera) in cameras.enumerated() {
            for track in 0..<tracksPerVideo {
                let person = SyntheticPerson(using: &rng)
                let folder = String(format: "%@/tracklets/cam%d/%03d", root, c + 1, track + 1)
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                var placement = Placement(camera: camera, height: height, width: width, rng: &rng)
                var angle = [0.0, 90, 180, 270].randomElement(using: &rng)!
                var phase = rng.uniform(0, 1)
                for frame in 0..<framesPerTrack {
                    let (image, _) = render(person: person, camera: camera, angle: angle, phase: phase, placement: placement)
                    try image.write(to: String(format: "%@/%06d.jpg", folder, frame + 1))
                    angle += rng.uniform(-8, 8)
                    phase += 0.12
                    placement.centerX += rng.uniform(-1, 1)
                    placement.noiseSeed = rng.next()
                    written += 1
                }
            }
        }
        return written
    }
}

extension Array {
    func chunks(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
