// Drawing primitives: one OpenCV imgproc call each, on the caller's uint8 HWC buffer in place.
#include "ctorch_draw.h"
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace ctorch {
void set_error(const char *msg);
}
using ctorch::set_error;

namespace {
// A header over the caller's pixels (no copy), so OpenCV draws straight into them.
cv::Mat view(uint8_t *pixels, int h, int w, int channels) {
    if (channels != 1 && channels != 3) throw std::invalid_argument("drawing needs a 1- or 3-channel image");
    return cv::Mat(h, w, channels == 1 ? CV_8UC1 : CV_8UC3, pixels);
}

int line_type(int antialiased) { return antialiased ? cv::LINE_AA : cv::LINE_8; }

int fail(const char *what, const std::exception &e) {
    set_error((std::string(what) + ": " + e.what()).c_str());
    return -1;
}
} // namespace

extern "C" {

int ct_draw_rectangle(uint8_t *pixels, int h, int w, int channels, int x0, int y0, int x1, int y1,
                      uint8_t r, uint8_t g, uint8_t b, int thickness) {
    try {
        cv::Mat m = view(pixels, h, w, channels);
        cv::rectangle(m, cv::Point(x0, y0), cv::Point(x1, y1), cv::Scalar(r, g, b), thickness < 0 ? cv::FILLED : thickness,
                      cv::LINE_8);
        return 0;
    } catch (const std::exception &e) {
        return fail("cannot draw rectangle", e);
    }
}

int ct_draw_line(uint8_t *pixels, int h, int w, int channels, int x0, int y0, int x1, int y1,
                 uint8_t r, uint8_t g, uint8_t b, int thickness, int antialiased, int shift) {
    try {
        cv::Mat m = view(pixels, h, w, channels);
        cv::line(m, cv::Point(x0, y0), cv::Point(x1, y1), cv::Scalar(r, g, b), thickness, line_type(antialiased), shift);
        return 0;
    } catch (const std::exception &e) {
        return fail("cannot draw line", e);
    }
}

int ct_draw_polyline(uint8_t *pixels, int h, int w, int channels, const int32_t *xy, int n, int closed,
                     uint8_t r, uint8_t g, uint8_t b, int thickness, int antialiased, int shift) {
    try {
        cv::Mat m = view(pixels, h, w, channels);
        std::vector<cv::Point> points(static_cast<size_t>(n));
        for (int i = 0; i < n; ++i) points[i] = cv::Point(xy[2 * i], xy[2 * i + 1]);
        std::vector<std::vector<cv::Point>> curves{points};
        cv::polylines(m, curves, closed != 0, cv::Scalar(r, g, b), thickness, line_type(antialiased), shift);
        return 0;
    } catch (const std::exception &e) {
        return fail("cannot draw polyline", e);
    }
}

int ct_draw_circle(uint8_t *pixels, int h, int w, int channels, int cx, int cy, int radius,
                   uint8_t r, uint8_t g, uint8_t b, int thickness, int antialiased, int shift) {
    try {
        cv::Mat m = view(pixels, h, w, channels);
        cv::circle(m, cv::Point(cx, cy), radius, cv::Scalar(r, g, b), thickness < 0 ? cv::FILLED : thickness,
                   line_type(antialiased), shift);
        return 0;
    } catch (const std::exception &e) {
        return fail("cannot draw circle", e);
    }
}

int ct_draw_text(uint8_t *pixels, int h, int w, int channels, const char *text, int x, int y, double scale,
                 uint8_t r, uint8_t g, uint8_t b, int thickness, int antialiased) {
    try {
        cv::Mat m = view(pixels, h, w, channels);
        cv::putText(m, text, cv::Point(x, y), cv::FONT_HERSHEY_SIMPLEX, scale, cv::Scalar(r, g, b), thickness,
                    line_type(antialiased));
        return 0;
    } catch (const std::exception &e) {
        return fail("cannot draw text", e);
    }
}

int ct_text_size(const char *text, double scale, int thickness, int *width, int *height, int *baseline) {
    try {
        int base = 0;
        cv::Size size = cv::getTextSize(text, cv::FONT_HERSHEY_SIMPLEX, scale, thickness, &base);
        *width = size.width;
        *height = size.height;
        *baseline = base;
        return 0;
    } catch (const std::exception &e) {
        return fail("cannot measure text", e);
    }
}

} // extern "C"
