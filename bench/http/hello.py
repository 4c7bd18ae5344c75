# HTTP benchmark server: aiohttp.web hello world. Runs unchanged under Aio and under
# python3 with aiohttp installed. The port comes from the first argument.
import sys
from aiohttp import web


async def hello(request):
    return web.Response(text="Hello, world")


app = web.Application()
app.router.add_get("/", hello)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None)
