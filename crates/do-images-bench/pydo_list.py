"""List every image through pydo, DigitalOcean's official Python client.

Used by `cargo xtask bench` as the reference point. pydo does not follow
`links.pages.next` by itself, so this asks page after page at 200 a page,
the way its documentation shows, until a page has no `next` link.

Usage: python pydo_list.py BASE_URL TOKEN
Prints the number of images listed.
"""

import sys

from pydo import Client


def main() -> None:
    base_url, token = sys.argv[1], sys.argv[2]
    client = Client(token=token, endpoint=base_url)
    page, count = 1, 0
    while True:
        # The sandbox speaks plain http on 127.0.0.1; pydo refuses to send a
        # bearer token over http unless each call says so.
        response = client.images.list(per_page=200, page=page, enforce_https=False)
        count += len(response["images"])
        if not response.get("links", {}).get("pages", {}).get("next"):
            break
        page += 1
    print(count)


if __name__ == "__main__":
    main()
