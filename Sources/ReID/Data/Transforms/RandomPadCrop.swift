import Torch

/// Pads every side by `padding` pixels, then crops a window of the original size at a random
/// offset (0…2·padding on each axis): the image shifts by up to `padding` pixels, as in the
/// standard re-ID training transform (`T.Pad(10)` + `T.RandomCrop`).
public struct RandomPadCrop: ImageTransform {
    public enum Mode: Sendable, Equatable, Codable {
        /// Fill the border with one grey level (0 = black, torchvision's default).
        case constant(UInt8)
        /// Mirror the image at its edge without repeating the edge pixel (numpy's "reflect").
        case reflect
    }

    public var padding: Int
    public var mode: Mode

    public init(padding: Int = 10, mode: Mode = .constant(0)) {
        self.padding = padding
        self.mode = mode
    }

    public func apply(_ image: Image, using rng: inout SeededRandom) throws -> Image {
        guard padding > 0 else { return image }
        let dy = rng.int(0...(2 * padding)) - padding, dx = rng.int(0...(2 * padding)) - padding
        return shifted(image, dy: dy, dx: dx)
    }

    /// The crop whose top-left corner is at (dy, dx) relative to the original image, each in
    /// −padding…padding; (0, 0) returns the image unchanged.
    public func shifted(_ image: Image, dy: Int, dx: Int) -> Image {
        let h = image.height, w = image.width, c = image.channels
        var out = Image(height: h, width: w, channels: c, fill: 0)
        let fill: UInt8 = { if case .constant(let v) = mode { return v }; return 0 }()
        image.pixels.withUnsafeBufferPointer { src in
            out.pixels.withUnsafeMutableBufferPointer { dst in
                for y in 0..<h {
                    let sy = source(y + dy, h)
                    for x in 0..<w {
                        let o = (y * w + x) * c
                        if let sy, let sx = source(x + dx, w) {
                            let s = (sy * w + sx) * c
                            for k in 0..<c { dst[o + k] = src[s + k] }
                        } else {
                            for k in 0..<c { dst[o + k] = fill }
                        }
                    }
                }
            }
        }
        return out
    }

    /// Where output coordinate `i` reads from in an axis of length `n`; nil for constant padding.
    @inline(__always) func source(_ i: Int, _ n: Int) -> Int? {
        if i >= 0 && i < n { return i }
        guard mode == .reflect else { return nil }
        guard n > 1 else { return 0 }
        let period = 2 * (n - 1)
        var j = i % period
        if j < 0 { j += period }
        return j < n ? j : period - j
    }
}
