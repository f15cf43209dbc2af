// CTorch drawing: OpenCV imgproc primitives on a caller's uint8 HWC buffer, in place.
//
// The buffer is RGB (channels 3) or grey (channels 1), `h` rows of `w` pixels, as everywhere
// in ctorch.h. Colours are given as (r, g, b); a grey image takes r. OpenCV only sees channel
// values, so no colour conversion happens. Coordinates are pixels from the top-left corner.
// Line, polyline and circle coordinates are fixed point with `shift` fractional bits
// (OpenCV's own convention: x = x_fixed / 2^shift). `antialiased` selects cv::LINE_AA,
// otherwise cv::LINE_8. Errors follow ctorch.h (0 / -1 and ct_last_error()).
#ifndef CTORCH_DRAW_H
#define CTORCH_DRAW_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// cv::rectangle between corners (x0, y0) and (x1, y1), both inclusive; thickness < 0 fills it.
int ct_draw_rectangle(uint8_t *pixels, int h, int w, int channels, int x0, int y0, int x1, int y1,
                      uint8_t r, uint8_t g, uint8_t b, int thickness);

// cv::line from (x0, y0) to (x1, y1).
int ct_draw_line(uint8_t *pixels, int h, int w, int channels, int x0, int y0, int x1, int y1,
                 uint8_t r, uint8_t g, uint8_t b, int thickness, int antialiased, int shift);

// cv::polylines through n points given as xy[2*i], xy[2*i+1]; `closed` joins the last to the first.
int ct_draw_polyline(uint8_t *pixels, int h, int w, int channels, const int32_t *xy, int n, int closed,
                     uint8_t r, uint8_t g, uint8_t b, int thickness, int antialiased, int shift);

// cv::circle; thickness < 0 fills it.
int ct_draw_circle(uint8_t *pixels, int h, int w, int channels, int cx, int cy, int radius,
                   uint8_t r, uint8_t g, uint8_t b, int thickness, int antialiased, int shift);

// cv::putText with FONT_HERSHEY_SIMPLEX; (x, y) is the left end of the text's baseline.
// The Hershey font covers printable ASCII only.
int ct_draw_text(uint8_t *pixels, int h, int w, int channels, const char *text, int x, int y, double scale,
                 uint8_t r, uint8_t g, uint8_t b, int thickness, int antialiased);

// cv::getTextSize for the same font: width and height above the baseline, and the
// descent below it (`baseline`), in pixels.
int ct_text_size(const char *text, double scale, int thickness, int *width, int *height, int *baseline);

#ifdef __cplusplus
}
#endif
#endif
