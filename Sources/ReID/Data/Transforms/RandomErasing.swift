import Foundation

/// Random erasing (Zhong et al., "Random Erasing Data Augmentation", AAAI 2020): with probability
/// `probability`, pick a rectangle covering a fraction of the image drawn uniformly from `area`
/// with an aspect ratio (height / width) drawn uniformly from `aspect`, at a uniform position,
/// and overwrite it; up to 100 draws until the rectangle fits inside the image.
///
/// It works on the normalised CHW image. `.mean` fills with the ImageNet mean colour, which is 0
/// after normalisation (fast-reid's choice; Zhong's original writes the raw mean values into the
/// normalised tensor instead). `.random` fills each value with a standard normal sample, as
/// torchvision's `value="random"`.
public struct RandomErasing: FloatImageTransform {
    public enum Fill: String, Sendable, Codable, Equatable { case mean, random }

    public var probability: Double
    public var area: ClosedRange<Double>
    public var aspect: ClosedRange<Double>
    public var fill: Fill

    public init(probability: Double = 0.5, area: ClosedRange<Double> = 0.02...0.4,
                aspect: ClosedRange<Double> = 0.3...3.3, fill: Fill = .mean) {
        self.probability = probability
        self.area = area
        self.aspect = aspect
        self.fill = fill
    }

    /// A rectangle erased in an image.
    public struct Rectangle: Sendable, Equatable {
        public var y: Int, x: Int, height: Int, width: Int
    }

    public func apply(_ image: inout FloatImage, using rng: inout SeededRandom) {
        guard rng.chance(probability), let r = rectangle(height: image.height, width: image.width, using: &rng) else { return }
        erase(&image, r, using: &rng)
    }

    /// Draws the rectangle (nil when 100 draws do not fit).
    public func rectangle(height: Int, width: Int, using rng: inout SeededRandom) -> Rectangle? {
        let total = Double(height * width)
        for _ in 0..<100 {
            let target = rng.uniform(area.lowerBound, area.upperBound) * total
            let ratio = rng.uniform(aspect.lowerBound, aspect.upperBound)
            let h = Int((target * ratio).squareRoot().rounded()), w = Int((target / ratio).squareRoot().rounded())
            if h > 0 && w > 0 && h < height && w < width {
                return Rectangle(y: rng.int(0...(height - h)), x: rng.int(0...(width - w)), height: h, width: w)
            }
        }
        return nil
    }

    /// Fills `r` in every channel.
    public func erase(_ image: inout FloatImage, _ r: Rectangle, using rng: inout SeededRandom) {
        for c in 0..<image.channels {
            for y in r.y..<(r.y + r.height) {
                for x in r.x..<(r.x + r.width) {
                    image[c, y, x] = fill == .mean ? 0 : Float(rng.normal())
                }
            }
        }
    }
}
