import Torch

/// Mirrors the image left–right with probability `probability`. Works on 8-bit images and on
/// normalised float images alike.
public struct RandomHorizontalFlip: ImageTransform, FloatImageTransform {
    public var probability: Double

    public init(probability: Double = 0.5) { self.probability = probability }

    public func apply(_ image: Image, using rng: inout SeededRandom) throws -> Image {
        guard rng.chance(probability) else { return image }
        return Self.flipped(image)
    }

    public func apply(_ image: inout FloatImage, using rng: inout SeededRandom) {
        guard rng.chance(probability) else { return }
        Self.flip(&image)
    }

    /// The mirror image (always, no randomness).
    public static func flipped(_ image: Image) -> Image {
        var out = image
        let c = image.channels, w = image.width
        image.pixels.withUnsafeBufferPointer { src in
            out.pixels.withUnsafeMutableBufferPointer { dst in
                for y in 0..<image.height {
                    let row = y * w * c
                    for x in 0..<w {
                        let from = row + (w - 1 - x) * c, to = row + x * c
                        for k in 0..<c { dst[to + k] = src[from + k] }
                    }
                }
            }
        }
        return out
    }

    /// Mirrors a float image in place (always).
    public static func flip(_ image: inout FloatImage) {
        let w = image.width
        image.values.withUnsafeMutableBufferPointer { v in
            for row in 0..<(image.channels * image.height) {
                var a = row * w, b = a + w - 1
                while a < b {
                    v.swapAt(a, b)
                    a += 1
                    b -= 1
                }
            }
        }
    }
}
