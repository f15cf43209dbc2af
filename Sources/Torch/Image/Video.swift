import CTorch
import Foundation

/// Frames of a video file, decoded by OpenCV's videoio (see ctorch_video.h), as RGB images.
public final class VideoReader {
    private let handle: ct_video
    public let path: String
    /// As the container reports them; 0 when unknown.
    public let framesPerSecond: Double
    public let frameCount: Int

    public init(path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            throw TorchError.file(path: path, reason: "no such video file")
        }
        guard let h = ct_video_open(path) else {
            throw TorchError.file(path: path, reason: String(cString: ct_last_error()))
        }
        handle = h
        self.path = path
        var fps = 0.0
        var frames: Int64 = 0
        _ = ct_video_info(h, &fps, &frames)
        framesPerSecond = fps
        frameCount = Int(frames)
    }

    deinit { ct_video_close(handle) }

    /// The next frame, or nil at the end of the video.
    public func next() throws -> Image? {
        var p: UnsafeMutablePointer<UInt8>?
        var h: Int32 = 0, w: Int32 = 0
        let status = ct_video_read(handle, &p, &h, &w)
        if status < 0 { throw TorchError.file(path: path, reason: String(cString: ct_last_error())) }
        guard status == 1, let p else { return nil }
        defer { ct_free(p) }
        return Image(height: Int(h), width: Int(w), channels: 3,
                     pixels: Array(UnsafeBufferPointer(start: p, count: Int(h) * Int(w) * 3)))
    }
}

/// A detected box in pixels of the image it was found in.
public struct DetectionBox: Sendable, Equatable {
    public var x: Double
    public var y: Double
    public var width: Double
    public var height: Double
    public var score: Double

    public init(x: Double, y: Double, width: Double, height: Double, score: Double = 1) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
        self.score = score
    }

    /// Intersection over union with another box (0 when they do not overlap).
    public func iou(_ other: DetectionBox) -> Double {
        let ix = max(0, min(x + width, other.x + other.width) - max(x, other.x))
        let iy = max(0, min(y + height, other.y + other.height) - max(y, other.y))
        let intersection = ix * iy
        let union = width * height + other.width * other.height - intersection
        return union > 0 ? intersection / union : 0
    }
}

/// OpenCV's HOG + linear SVM people detector (Dalal & Triggs 2005) with its default model.
public struct HOGPeopleDetector: Sendable {
    /// Scale applied to the image before detection: the detector's window is 64×128 pixels, so
    /// people shorter than 128/upscale pixels are missed.
    public var upscale: Double
    /// SVM score a window needs (0: OpenCV's default; higher: fewer, surer boxes).
    public var hitThreshold: Double
    public var windowStride: Int
    /// Step between pyramid levels (> 1).
    public var pyramidScale: Double

    public init(upscale: Double = 1, hitThreshold: Double = 0, windowStride: Int = 8, pyramidScale: Double = 1.05) {
        self.upscale = upscale
        self.hitThreshold = hitThreshold
        self.windowStride = windowStride
        self.pyramidScale = pyramidScale
    }

    public func detect(_ image: Image) throws -> [DetectionBox] {
        guard image.channels == 3 else { throw TorchError.invalidArgument("HOG people detection needs an RGB image") }
        var boxes: UnsafeMutablePointer<Float>?
        var count: Int32 = 0
        let status = image.pixels.withUnsafeBufferPointer {
            ct_hog_detect_people($0.baseAddress, Int32(image.height), Int32(image.width), upscale, hitThreshold,
                                 Int32(windowStride), pyramidScale, &boxes, &count)
        }
        guard status == 0 else { throw TorchError.libtorch(String(cString: ct_last_error())) }
        defer { ct_free(boxes) }
        guard let boxes else { return [] }
        return (0..<Int(count)).map { i in
            DetectionBox(x: Double(boxes[5 * i]), y: Double(boxes[5 * i + 1]), width: Double(boxes[5 * i + 2]),
                         height: Double(boxes[5 * i + 3]), score: Double(boxes[5 * i + 4]))
        }
    }
}
