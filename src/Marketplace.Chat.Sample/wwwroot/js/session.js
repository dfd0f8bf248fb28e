// Who is signed in, and the names of the people they deal with.
import { api, ApiError } from "./api.js";

let me = null;
let people = new Map();

export async function loadSession() {
  try {
    me = await api.get("/api/account/me");
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) me = null;
    else throw error;
  }
  return me;
}

export const currentUser = () => me;

export async function loadPeople() {
  if (!me) return people;
  const list = await api.get("/api/people");
  people = new Map(list.map(p => [p.id, p]));
  return people;
}

export const person = id => people.get(id) ?? { id, name: id };
