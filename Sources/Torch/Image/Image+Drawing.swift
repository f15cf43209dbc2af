import CTorch

/// Drawing on an image in place, through OpenCV's imgproc (see ctorch_draw.h). Coordinates are
/// pixels from the top-left corner; shapes that leave the image are clipped.
extension Image {
    /// An 8-bit RGB colour. A grey image uses `red`.
    public struct Color: Sendable, Hashable {
        public var red: UInt8
        public var green: UInt8
        public var blue: UInt8

        public init(red: UInt8, green: UInt8, blue: UInt8) {
            self.red = red
            self.green = green
            self.blue = blue
        }

        /// From 0xRRGGBB.
        public init(hex: UInt32) {
            self.init(red: UInt8((hex >> 16) & 0xFF), green: UInt8((hex >> 8) & 0xFF), blue: UInt8(hex & 0xFF))
        }

        public init(grey: UInt8) { self.init(red: grey, green: grey, blue: grey) }

        public static let black = Color(grey: 0)
        public static let white = Color(grey: 255)
        public static let red = Color(red: 220, green: 38, blue: 38)
        public static let green = Color(red: 22, green: 163, blue: 74)
        public static let grey = Color(grey: 128)
    }

    /// Sub-pixel coordinates cross the ABI as fixed point with this many fractional bits.
    private static let shift: Int32 = 4

    private static func fixed(_ v: Double) throws -> Int32 {
        let scaled = (v * Double(1 << shift)).rounded()
        guard scaled.isFinite, abs(scaled) < Double(Int32.max / 2) else {
            throw TorchError.invalidArgument("cannot draw at coordinate \(v)")
        }
        return Int32(scaled)
    }

    /// The Hershey font has printable ASCII only: anything else is drawn as "?".
    private static func printable(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { (0x20...0x7E).contains($0.value) ? $0 : "?" }))
    }

    private mutating func draw(_ body: (UnsafeMutablePointer<UInt8>?, Int32, Int32, Int32) -> Int32) throws {
        let (h, w, c) = (Int32(height), Int32(width), Int32(channels))
        try pixels.withUnsafeMutableBufferPointer { try check(body($0.baseAddress, h, w, c)) }
    }

    /// Fills the rectangle with top-left corner (x, y) and the given size.
    public mutating func fillRectangle(x: Int, y: Int, width: Int, height: Int, color: Color) throws {
        guard width > 0, height > 0 else { return }
        try draw {
            ct_draw_rectangle($0, $1, $2, $3, Int32(x), Int32(y), Int32(x + width - 1), Int32(y + height - 1),
                              color.red, color.green, color.blue, -1)
        }
    }

    /// Outlines the rectangle with top-left corner (x, y) and the given size; OpenCV centres the
    /// stroke on the outline, so a thick one reaches thickness/2 beyond it.
    public mutating func strokeRectangle(x: Int, y: Int, width: Int, height: Int, color: Color, thickness: Int = 1) throws {
        guard width > 0, height > 0, thickness > 0 else { return }
        try draw {
            ct_draw_rectangle($0, $1, $2, $3, Int32(x), Int32(y), Int32(x + width - 1), Int32(y + height - 1),
                              color.red, color.green, color.blue, Int32(thickness))
        }
    }

    /// A straight line between two points (sub-pixel positions allowed).
    public mutating func drawLine(from a: (x: Double, y: Double), to b: (x: Double, y: Double), color: Color,
                                  thickness: Int = 1, antialiased: Bool = true) throws {
        let (x0, y0, x1, y1) = (try Self.fixed(a.x), try Self.fixed(a.y), try Self.fixed(b.x), try Self.fixed(b.y))
        try draw {
            ct_draw_line($0, $1, $2, $3, x0, y0, x1, y1, color.red, color.green, color.blue, Int32(thickness),
                         antialiased ? 1 : 0, Self.shift)
        }
    }

    /// Connected line segments through `points`; `closed` joins the last point to the first.
    public mutating func drawPolyline(_ points: [(x: Double, y: Double)], color: Color, thickness: Int = 1,
                                      closed: Bool = false, antialiased: Bool = true) throws {
        guard points.count > 1 else { return }
        var xy = [Int32]()
        xy.reserveCapacity(points.count * 2)
        for p in points {
            xy.append(try Self.fixed(p.x))
            xy.append(try Self.fixed(p.y))
        }
        try draw { buffer, h, w, c in
            ct_draw_polyline(buffer, h, w, c, xy, Int32(points.count), closed ? 1 : 0, color.red, color.green,
                             color.blue, Int32(thickness), antialiased ? 1 : 0, Self.shift)
        }
    }

    /// A circle; `filled` paints the disc, otherwise an outline of `thickness`.
    public mutating func drawCircle(center: (x: Double, y: Double), radius: Double, color: Color,
                                    thickness: Int = 1, filled: Bool = false, antialiased: Bool = true) throws {
        let (cx, cy, r) = (try Self.fixed(center.x), try Self.fixed(center.y), try Self.fixed(max(0, radius)))
        try draw {
            ct_draw_circle($0, $1, $2, $3, cx, cy, r, color.red, color.green, color.blue,
                           filled ? -1 : Int32(thickness), antialiased ? 1 : 0, Self.shift)
        }
    }

    /// Size of `text` in the Hershey simplex font: `width`, `height` above the baseline, and
    /// `descent` below it (for letters like "g" and "p").
    public static func textSize(_ text: String, scale: Double, thickness: Int = 1) throws
        -> (width: Int, height: Int, descent: Int)
    {
        var w: Int32 = 0, h: Int32 = 0, base: Int32 = 0
        try check(ct_text_size(printable(text), scale, Int32(thickness), &w, &h, &base))
        return (Int(w), Int(h), Int(base))
    }

    /// Writes `text` (Hershey simplex; printable ASCII) with its baseline starting at (x, y).
    /// Scale 1 is about 22 pixels tall for capitals.
    public mutating func drawText(_ text: String, x: Int, y: Int, scale: Double, color: Color,
                                  thickness: Int = 1, antialiased: Bool = true) throws {
        let text = Self.printable(text)
        try draw {
            ct_draw_text($0, $1, $2, $3, text, Int32(x), Int32(y), scale, color.red, color.green, color.blue,
                         Int32(thickness), antialiased ? 1 : 0)
        }
    }

    /// Copies `image` with its top-left corner at (x, y), clipped to this image. A grey image
    /// pasted into an RGB one is repeated over the three channels.
    public mutating func paste(_ image: Image, x: Int, y: Int) throws {
        guard image.channels == channels || (image.channels == 1 && channels == 3) else {
            throw TorchError.invalidArgument("cannot paste a \(image.channels)-channel image into a \(channels)-channel one")
        }
        let x0 = max(0, x), x1 = min(width, x + image.width)
        let y0 = max(0, y), y1 = min(height, y + image.height)
        guard x0 < x1, y0 < y1 else { return }
        let c = channels, sc = image.channels
        pixels.withUnsafeMutableBufferPointer { dst in
            image.pixels.withUnsafeBufferPointer { src in
                for row in y0..<y1 {
                    let d = (row * width + x0) * c
                    let s = ((row - y) * image.width + (x0 - x)) * sc
                    if sc == c {
                        (dst.baseAddress! + d).update(from: src.baseAddress! + s, count: (x1 - x0) * c)
                    } else {
                        for i in 0..<(x1 - x0) {
                            let v = src[s + i]
                            dst[d + 3 * i] = v
                            dst[d + 3 * i + 1] = v
                            dst[d + 3 * i + 2] = v
                        }
                    }
                }
            }
        }
    }

    /// The image turned a quarter turn counter-clockwise (for a vertical axis label, say).
    public func rotatedCounterclockwise() -> Image {
        var out = Image(height: width, width: height, channels: channels)
        let c = channels
        for y in 0..<height {
            for x in 0..<width {
                // (x, y) moves to (y, width - 1 - x)
                let s = (y * width + x) * c, d = ((width - 1 - x) * height + y) * c
                for k in 0..<c { out.pixels[d + k] = pixels[s + k] }
            }
        }
        return out
    }

    /// The colour at (x, y) (grey images repeat their value).
    public func color(x: Int, y: Int) -> Color {
        let o = (y * width + x) * channels
        return channels == 1 ? Color(grey: pixels[o]) : Color(red: pixels[o], green: pixels[o + 1], blue: pixels[o + 2])
    }
}
