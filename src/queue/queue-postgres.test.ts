import { describe } from "vitest";
import { freshSchemaUrl, testPostgresUrl } from "../../test/postgres.js";
import { openPostgresStore } from "../store/index.js";
import { describeQueueSuite } from "./queue-suite.case.js";

const base = testPostgresUrl();
const urls = new Map<string, Promise<string>>();

// A schema per place on the run's database: the same place is the same store after a restart.
describe.skipIf(base === undefined)("postgres", () => {
  describeQueueSuite("postgres", async (place, migrations) => {
    let url = urls.get(place);
    if (url === undefined) {
      url = freshSchemaUrl(base!, place);
      urls.set(place, url);
    }
    return openPostgresStore({ url: await url, migrations, guardNesting: true, poolSize: 4 });
  });
});
